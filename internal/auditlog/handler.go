package auditlog

import (
	"context"
	"errors"

	"connectrpc.com/connect"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
)

// Handler serves miasta.v1.AuditService.
type Handler struct {
	log *Log
}

var _ miastav1connect.AuditServiceHandler = (*Handler)(nil)

// NewHandler returns the AuditService handler.
func NewHandler(l *Log) *Handler { return &Handler{log: l} }

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

// ExportBundle is not built yet: the offline bundle and verifier are the audit work still open.
func (h *Handler) ExportBundle(context.Context, *v1.ExportBundleRequest, *connect.ServerStream[v1.ExportBundleResponse]) error {
	return connect.NewError(connect.CodeUnimplemented, errors.New("audit bundles are not available yet"))
}
