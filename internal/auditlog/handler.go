package auditlog

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Handler serves miasta.v1.AuditService.
type Handler struct {
	log *Log
	d   Disclosures
}

var _ miastav1connect.AuditServiceHandler = (*Handler)(nil)

// NewHandler returns the AuditService handler; d gives what bundles disclose beyond the log.
func NewHandler(l *Log, d Disclosures) *Handler {
	return &Handler{log: l, d: d}
}

func (h *Handler) GetPublicKey(ctx context.Context, _ *v1.GetPublicKeyRequest) (*v1.GetPublicKeyResponse, error) {
	v, err := h.log.LogKey(ctx)
	if err != nil {
		return nil, err
	}
	s, err := h.log.SigningKey(ctx, h.log.pool)
	if err != nil {
		return nil, err
	}
	return &v1.GetPublicKeyResponse{VerifierKey: v, SigningKey: s}, nil
}

func (h *Handler) GetCheckpoint(ctx context.Context, _ *v1.GetCheckpointRequest) (*v1.GetCheckpointResponse, error) {
	c, err := h.log.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetCheckpointResponse{Checkpoint: c}, nil
}

func (h *Handler) GetInclusionProof(ctx context.Context, req *v1.GetInclusionProofRequest) (*v1.GetInclusionProofResponse, error) {
	leaf, p, err := h.log.Inclusion(ctx, req.GetLeafIndex(), req.GetTreeSize())
	if err != nil {
		return nil, err
	}
	return &v1.GetInclusionProofResponse{LeafIndex: req.GetLeafIndex(), TreeSize: req.GetTreeSize(), LeafHash: leaf, Hashes: p}, nil
}

func (h *Handler) GetConsistencyProof(ctx context.Context, req *v1.GetConsistencyProofRequest) (*v1.GetConsistencyProofResponse, error) {
	p, err := h.log.Consistency(ctx, req.GetFirstTreeSize(), req.GetSecondTreeSize())
	if err != nil {
		return nil, err
	}
	return &v1.GetConsistencyProofResponse{Hashes: p}, nil
}

// chunkSize keeps each streamed message well under the default message size limits.
const chunkSize = 256 << 10

// chunker sends what is written to it as stream messages of up to chunkSize bytes.
type chunker struct {
	stream *connect.ServerStream[v1.ExportBundleResponse]
	buf    []byte
}

func (c *chunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(chunkSize-len(c.buf), len(p))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == chunkSize {
			if err := c.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (c *chunker) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := c.stream.Send(&v1.ExportBundleResponse{Chunk: c.buf})
	c.buf = c.buf[:0]
	return err
}

// ExportBundle streams the edition's bundle; concatenated, the chunks are the file `miasta audit
// export` writes.
func (h *Handler) ExportBundle(ctx context.Context, req *v1.ExportBundleRequest, stream *connect.ServerStream[v1.ExportBundleResponse]) error {
	c := &chunker{stream: stream, buf: make([]byte, 0, chunkSize)}
	if err := h.log.Export(ctx, h.d, req.GetYear(), c); err != nil {
		return err
	}
	return c.flush()
}
