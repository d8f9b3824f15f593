package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miasta-otwarte/miasta/internal/dbtest"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// TestBackupAndRestore runs README's backup and restore commands (Production, Backups and restore)
// as written: a checkpoint saved and the database dumped while `miasta dev` serves, the dump
// restored into a new database, `miasta serve` started on it with a copy of the key file, and the
// restored log's bundle verified against the checkpoint saved before the backup. Only the server's
// address and the attachments directory are the test's.
func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"pg_dump", "pg_restore", "curl", "jq", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("README's backup commands need %s: %v", tool, err)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeSections(t, readme)["Backups and restore"]
	if len(blocks) != 3 {
		t.Fatalf("README's Backups and restore has %d sh blocks; want 3 (backup, restore, verify)", len(blocks))
	}
	bin := testenv.Binary(t)
	work, data := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(data, "attachments"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "attachments", "probe"), []byte("an attachment"), 0o640); err != nil {
		t.Fatal(err)
	}
	tokens := t.TempDir()
	d := runDev(t, dbtest.NewEmptyURL(t), tokens)
	defer func() { _ = d.stop() }()
	restoreURL := dbtest.NewEmptyURL(t)
	script := func(block string) string {
		return "cd " + work + "\nexport PATH=" + filepath.Dir(bin) + ":$PATH DATABASE_URL='" + d.dbURL + "' RESTORE_URL='" + restoreURL + "'\n" +
			strings.ReplaceAll(block, "/var/lib/miasta", data)
	}
	eventually(t, "the demo log has a checkpoint", func() bool {
		return exec.Command(bin, "audit", "key", "-database-url", d.dbURL).Run() == nil
	})
	runReadme(t, root, d, script(blocks[0]))
	before, err := os.ReadFile(filepath.Join(work, "checkpoint-before.txt"))
	if err != nil || !strings.Contains(string(before), "miasta-otwarte/audit-log") {
		t.Fatalf("checkpoint-before.txt = %q, %v; want the log's signed checkpoint", before, err)
	}
	// What happens after the backup is not in it; the restored log must still extend the checkpoint.
	if err := os.RemoveAll(filepath.Join(data, "attachments")); err != nil {
		t.Fatal(err)
	}
	runReadme(t, root, d, script(blocks[1]))
	if b, err := os.ReadFile(filepath.Join(data, "attachments", "probe")); err != nil || string(b) != "an attachment" {
		t.Fatalf("the restored attachments: %q, %v", b, err)
	}

	// The server starts on the restored database with a copy of the key file.
	keyCopy := filepath.Join(t.TempDir(), "audit.key")
	key, err := os.ReadFile(filepath.Join(tokens, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyCopy, key, 0o600); err != nil {
		t.Fatal(err)
	}
	vars := serveEnv(t)
	vars["DATABASE_URL"], vars["MIASTA_AUDIT_KEY_FILE"] = restoreURL, keyCopy
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs testenv.LogBuffer
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"miasta", "serve"}, env(vars), io.Discard, &logs) }()
	waitReady(t, "http://"+vars["MIASTA_ADDR"], errc) // ready: the database answers and nothing is pending

	out := runReadme(t, root, d, script(blocks[2]))
	if !strings.Contains(out, "verified: edition 2016") {
		t.Fatalf("the restored log's bundle did not verify against the checkpoint saved before the backup:\n%s", out)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("serve on the restored database: %v\n%s", err, logs.String())
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("serve on the restored database logged errors:\n%s", logs.String())
	}
}
