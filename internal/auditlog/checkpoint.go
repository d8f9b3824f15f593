package auditlog

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Origin names this log in its checkpoints' first line.
const Origin = "miasta-otwarte/audit-log"

// NewKey generates an Ed25519 note key pair for signing checkpoints.
func NewKey() (signerKey, verifierKey string, err error) {
	return note.GenerateKey(rand.Reader, Origin)
}

// Checkpoint is a signed statement of the tree's size and root.
type Checkpoint struct {
	Size uint64
	Root []byte
}

// body is the checkpoint text the signature covers: origin, size, base64 root, each on its line.
func (c Checkpoint) body() string {
	return fmt.Sprintf("%s\n%d\n%s\n", Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root))
}

// Sign returns the checkpoint as a signed note.
func (c Checkpoint) Sign(signerKey string) (string, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return "", fmt.Errorf("checkpoint key: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: c.body()}, signer)
	return string(msg), err
}

// OpenCheckpoint verifies a signed checkpoint against the verifier key and parses it.
func OpenCheckpoint(signed, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open([]byte(signed), note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != Origin {
		return Checkpoint{}, fmt.Errorf("checkpoint is not of %s", Origin)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint size: %w", err)
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return Checkpoint{}, fmt.Errorf("checkpoint root hash is not 32 base64 bytes")
	}
	c := Checkpoint{Size: size, Root: root}
	if !bytes.Equal([]byte(c.body()), []byte(n.Text)) {
		return Checkpoint{}, fmt.Errorf("checkpoint text is not canonical")
	}
	return c, nil
}
