package verify

import (
	"context"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/miasta-otwarte/miasta/internal/auditlog"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/jury"
)

// Handler serves miasta.v1.AuditService.
type Handler struct {
	pool *pgxpool.Pool
	log  *auditlog.Log
	jury *jury.Service
}

var _ miastav1connect.AuditServiceHandler = (*Handler)(nil)

// NewHandler returns the AuditService handler.
func NewHandler(pool *pgxpool.Pool, l *auditlog.Log, j *jury.Service) *Handler {
	return &Handler{pool: pool, log: l, jury: j}
}

func (h *Handler) GetPublicKey(ctx context.Context, _ *v1.GetPublicKeyRequest) (*v1.GetPublicKeyResponse, error) {
	_, v, err := h.log.Keys(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.GetPublicKeyResponse{VerifierKey: v}, nil
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

// ExportBundle streams the edition's bundle; concatenated, the chunks are the file
// `miasta audit export` writes.
func (h *Handler) ExportBundle(ctx context.Context, req *v1.ExportBundleRequest, stream *connect.ServerStream[v1.ExportBundleResponse]) error {
	b, err := Export(ctx, h.pool, h.log, h.jury, req.GetYear())
	if err != nil {
		return err
	}
	data, err := b.Marshal()
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		if err := stream.Send(&v1.ExportBundleResponse{Chunk: data[:n]}); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
