package translation

import (
	"context"
	"errors"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/miasta-otwarte/miasta/internal/auth"
	"github.com/miasta-otwarte/miasta/internal/edition"
	"github.com/miasta-otwarte/miasta/internal/fault"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/gen/miasta/v1/miastav1connect"
	"github.com/miasta-otwarte/miasta/internal/wire"
)

// Handler serves miasta.v1.TranslationService.
type Handler struct {
	svc *Service
}

var _ miastav1connect.TranslationServiceHandler = (*Handler)(nil)

// NewHandler returns the TranslationService handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

func (h *Handler) ListTranslatablePractices(ctx context.Context, req *v1.ListTranslatablePracticesRequest) (*v1.ListTranslatablePracticesResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	sums, languages, next, err := h.svc.List(ctx, auth.FromContext(ctx), eid, req.GetPageSize(), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListTranslatablePracticesResponse{NextPageToken: next, Languages: languages}
	for _, s := range sums {
		out := &v1.TranslatablePracticeSummary{Practice: practiceToProto(s.Practice)}
		for _, t := range s.Translations {
			out.Languages = append(out.Languages, &v1.LanguageState{
				Language: t.Language, Status: statusToProto(t.Status), Version: t.Version, Outdated: t.Outdated, Complete: t.Complete,
			})
		}
		resp.Practices = append(resp.Practices, out)
	}
	return resp, nil
}

func (h *Handler) GetPracticeTranslation(ctx context.Context, req *v1.GetPracticeTranslationRequest) (*v1.GetPracticeTranslationResponse, error) {
	pid, err := wire.ID("practice_id", req.GetPracticeId())
	if err != nil {
		return nil, err
	}
	pr, t, err := h.svc.Get(ctx, auth.FromContext(ctx), pid, req.GetLanguage())
	if err != nil {
		return nil, err
	}
	return &v1.GetPracticeTranslationResponse{Practice: practiceToProto(pr), Translation: translationToProto(t)}, nil
}

func (h *Handler) SavePracticeTranslation(ctx context.Context, req *v1.SavePracticeTranslationRequest) (*v1.SavePracticeTranslationResponse, error) {
	pid, err := wire.ID("practice_id", req.GetPracticeId())
	if err != nil {
		return nil, err
	}
	d := Edit{ExpectedVersion: req.GetExpectedVersion(), Status: statusFromProto(req.GetStatus())}
	for _, t := range req.GetTexts() {
		d.Texts = append(d.Texts, NewText{Field: t.GetField(), Text: t.GetText(), SourceSHA256: t.GetSourceSha256()})
	}
	t, err := h.svc.Save(ctx, auth.FromContext(ctx), pid, req.GetLanguage(), d)
	if err != nil {
		return nil, fault.MapDetail(err, func(current Translation) any {
			return &v1.PracticeTranslationConflict{Current: translationToProto(current)}
		})
	}
	return &v1.SavePracticeTranslationResponse{Translation: translationToProto(t)}, nil
}

func (h *Handler) ExportXliff(ctx context.Context, req *v1.ExportXliffRequest) (*v1.ExportXliffResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	x, err := h.svc.Export(ctx, auth.FromContext(ctx), eid, req.GetLanguage(), req.GetMissingOnly())
	if err != nil {
		return nil, err
	}
	return &v1.ExportXliffResponse{Xliff: x.XLIFF, FileName: x.FileName, Units: int32(x.Units)}, nil
}

func (h *Handler) ImportXliff(ctx context.Context, req *v1.ImportXliffRequest) (*v1.ImportXliffResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	res, err := h.svc.Import(ctx, auth.FromContext(ctx), eid, req.GetLanguage(), req.GetXliff(), req.GetDryRun(), statusFromProto(req.GetStatus()))
	if err != nil && !errors.Is(err, ErrImportProblems) {
		return nil, err
	}
	resp := &v1.ImportXliffResponse{Units: int32(res.Units), Changed: int32(res.Changed), Imported: int32(res.Imported)}
	for _, p := range res.Problems {
		resp.Problems = append(resp.Problems, &v1.XliffProblem{UnitId: p.UnitID, Kind: problemKinds[p.Kind], Message: p.Message, Line: int32(p.Line)})
	}
	if err != nil {
		// Every bad unit, each with its kind (which clients name in their user's language), in the
		// response attached to the error.
		f := fault.Invalidf("xliff", "%d bad units or problems of the whole file; nothing was imported", len(res.Problems))
		f.Detail = resp
		return nil, f
	}
	return resp, nil
}

func (h *Handler) ListReportTranslations(ctx context.Context, req *v1.ListReportTranslationsRequest) (*v1.ListReportTranslationsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	cid, err := wire.ID("city_id", req.GetCityId())
	if err != nil {
		return nil, err
	}
	ts, version, err := h.svc.ReportTranslations(ctx, auth.FromContext(ctx), eid, cid)
	if err != nil {
		return nil, err
	}
	resp := &v1.ListReportTranslationsResponse{ReportVersion: version}
	for _, t := range ts {
		resp.Translations = append(resp.Translations, translationToProto(t))
	}
	return resp, nil
}

func (h *Handler) ListBallotTranslations(ctx context.Context, req *v1.ListBallotTranslationsRequest) (*v1.ListBallotTranslationsResponse, error) {
	eid, err := wire.ID("edition_id", req.GetEditionId())
	if err != nil {
		return nil, err
	}
	ts, err := h.svc.Ballot(ctx, auth.FromContext(ctx), eid, req.GetLanguage())
	if err != nil {
		return nil, err
	}
	resp := &v1.ListBallotTranslationsResponse{}
	for _, t := range ts {
		resp.Translations = append(resp.Translations, translationToProto(t))
	}
	return resp, nil
}

func practiceToProto(p Practice) *v1.TranslatablePractice {
	out := &v1.TranslatablePractice{
		PracticeId: p.ID.String(), City: edition.CityToProto(p.City), CategoryId: p.CategoryID.String(),
		ReportVersion: p.ReportVersion, Title: p.Title, Nominated: p.Nominated,
	}
	for _, t := range p.Texts {
		st := &v1.SourceText{Field: t.Field, Text: t.Text, Sha256: t.SHA256}
		if t.Field != FieldTitle && t.Field != FieldDescription {
			st.CriterionId = t.CriterionID.String()
		}
		out.Texts = append(out.Texts, st)
	}
	return out
}

func translationToProto(t Translation) *v1.PracticeTranslation {
	out := &v1.PracticeTranslation{
		PracticeId: t.PracticeID.String(), Language: t.Language, Status: statusToProto(t.Status), Version: t.Version,
		Outdated: t.Outdated, Complete: t.Complete, SourceReportVersion: t.SourceReportVersion,
	}
	for _, x := range t.Texts {
		out.Texts = append(out.Texts, &v1.TranslatedText{Field: x.Field, Text: x.Text, SourceSha256: x.SourceSHA256, Outdated: x.Outdated})
	}
	if t.MadeBy != "" {
		out.MadeBy = &v1.MadeBy{Source: sources[t.MadeBy], Name: t.MadeByName}
	}
	if t.UpdateTime != nil {
		out.UpdateTime = timestamppb.New(*t.UpdateTime)
	}
	return out
}

var statuses = map[Status]v1.TranslationStatus{
	Machine:  v1.TranslationStatus_TRANSLATION_STATUS_MACHINE,
	Draft:    v1.TranslationStatus_TRANSLATION_STATUS_DRAFT,
	Reviewed: v1.TranslationStatus_TRANSLATION_STATUS_REVIEWED,
}

func statusToProto(s Status) v1.TranslationStatus { return statuses[s] }

func statusFromProto(s v1.TranslationStatus) Status {
	for k, v := range statuses {
		if v == s {
			return k
		}
	}
	return Draft // the request validation admits only the three
}

var sources = map[Source]v1.TranslationSource{
	ByTranslator: v1.TranslationSource_TRANSLATION_SOURCE_TRANSLATOR,
	ByImport:     v1.TranslationSource_TRANSLATION_SOURCE_IMPORT,
}

var problemKinds = map[ProblemKind]v1.XliffProblemKind{
	InvalidXML:          v1.XliffProblemKind_XLIFF_PROBLEM_KIND_INVALID_XML,
	NotXLIFF:            v1.XliffProblemKind_XLIFF_PROBLEM_KIND_NOT_XLIFF,
	WrongSourceLanguage: v1.XliffProblemKind_XLIFF_PROBLEM_KIND_WRONG_SOURCE_LANGUAGE,
	WrongTargetLanguage: v1.XliffProblemKind_XLIFF_PROBLEM_KIND_WRONG_TARGET_LANGUAGE,
	UnknownUnit:         v1.XliffProblemKind_XLIFF_PROBLEM_KIND_UNKNOWN_UNIT,
	DuplicateUnit:       v1.XliffProblemKind_XLIFF_PROBLEM_KIND_DUPLICATE_UNIT,
	OutdatedSource:      v1.XliffProblemKind_XLIFF_PROBLEM_KIND_OUTDATED_SOURCE,
	EmptyTarget:         v1.XliffProblemKind_XLIFF_PROBLEM_KIND_EMPTY_TARGET,
	OverLong:            v1.XliffProblemKind_XLIFF_PROBLEM_KIND_OVER_LONG,
	InvalidText:         v1.XliffProblemKind_XLIFF_PROBLEM_KIND_INVALID_TEXT,
}
