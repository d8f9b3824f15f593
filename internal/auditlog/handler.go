package auditlog

import (
	"context"
	"errors"
	"io"

	"connectrpc.com/connect"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Handler serves miasta.v1.AuditService.
type Handler struct {
	log     *Log
	bundles *Bundles
}

var _ miastav1connect.AuditServiceHandler = (*Handler)(nil)

// NewHandler returns the AuditService handler, serving bundles from b.
func NewHandler(l *Log, b *Bundles) *Handler {
	return &Handler{log: l, bundles: b}
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

// chunkSize keeps each streamed message well under the default message size limits, and a download's
// memory small: many may run at once.
const chunkSize = 32 << 10

// ExportBundle streams the edition's bundle from the bundle cache; concatenated, the chunks are the
// file `miasta audit export` writes.
func (h *Handler) ExportBundle(ctx context.Context, req *v1.ExportBundleRequest, stream *connect.ServerStream[v1.ExportBundleResponse]) error {
	b, err := h.bundles.Get(ctx, req.GetYear())
	if err != nil {
		return err
	}
	f, err := b.Open(false)
	if err != nil {
		return err
	}
	defer f.Close()
	return h.bundles.Send(ctx, func() error {
		buf := make([]byte, chunkSize)
		msg := &v1.ExportBundleResponse{}
		for {
			n, err := io.ReadFull(f, buf)
			if n > 0 {
				msg.Chunk = buf[:n]
				if err := stream.Send(msg); err != nil {
					return err
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}
