package auditlog

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
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
	ws, err := h.log.WitnessStatuses(ctx)
	if err != nil {
		return nil, err
	}
	resp := &v1.GetCheckpointResponse{Checkpoint: c}
	for _, w := range ws {
		s := &v1.WitnessState{VerifierKey: w.WitnessKey, Url: w.Url, LastAttemptTime: timestamppb.New(w.LastAttempt), LastError: w.LastError}
		if w.CosignedSize != nil {
			s.CosignedSize = *w.CosignedSize
		}
		if w.LastSuccess != nil {
			s.LastSuccessTime = timestamppb.New(*w.LastSuccess)
		}
		resp.Witnesses = append(resp.Witnesses, s)
	}
	return resp, nil
}

func (h *Handler) ListEditionEvents(ctx context.Context, req *v1.ListEditionEventsRequest) (*v1.ListEditionEventsResponse, error) {
	id, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	evs, next, err := h.log.Timeline(ctx, id, req.GetKindPrefix(), req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListEditionEventsResponse{NextPageToken: next}
	for _, e := range evs {
		out := &v1.EditionEvent{Id: e.ID, Kind: e.Kind, Time: timestamppb.New(e.Time), ActorRole: e.ActorRole, ActorName: e.ActorName,
			Reason: e.Reason, Body: string(e.Body), LeafIndex: e.LeafIndex}
		if e.ActorRole != "" {
			out.ActorId = e.ActorID.String()
		}
		resp.Events = append(resp.Events, out)
	}
	return resp, nil
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

// ExportBundle streams the edition's bundle from the bundle cache; concatenated, the chunks are the
// file `miasta audit export` writes.
func (h *Handler) ExportBundle(ctx context.Context, req *v1.ExportBundleRequest, stream *connect.ServerStream[v1.ExportBundleResponse]) error {
	_, f, err := h.bundles.Open(ctx, req.GetYear(), false)
	if err != nil {
		return err
	}
	defer f.Close()
	msg := &v1.ExportBundleResponse{}
	return h.bundles.Download(func() error {
		return h.bundles.Copy(ctx, func(chunk []byte) error {
			msg.Chunk = chunk
			return stream.Send(msg)
		}, f)
	})
}
