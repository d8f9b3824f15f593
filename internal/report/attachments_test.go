package report_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/miasta-otwarte/miasta/internal/demo"
	v1 "github.com/miasta-otwarte/miasta/internal/gen/miasta/v1"
	"github.com/miasta-otwarte/miasta/internal/testenv"
)

// minimalPDF is a one-page PDF with a line of text.
const minimalPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func pngOf(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// get reads an attachment's URL with a token (empty: anonymously).
func get(t *testing.T, env *testenv.Env, url, token string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.URL+url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	env := testenv.Start(t, testenv.Options{})
	ctx := t.Context()
	orgToken := env.Token(t, demo.OrganiserEmail)
	org := env.Clients(testenv.Connect, orgToken)
	r := env.ReportingEdition(t, org, testenv.Connect, 48*time.Hour)
	id, city, expert := r.ID(), r.Cities[0].GetId(), r.Experts[0]
	expertToken := env.Token(t, r.Emails[0])
	rep := testenv.Must(expert.Reports.SaveReport(ctx, &v1.SaveReportRequest{EditionId: id, CityId: city, Practices: []*v1.Practice{testenv.Practice("Punkt konsultacyjny", r.Categories[0], r.Criteria[0])}})).GetReport()
	practice := rep.GetPractices()[0].GetId()
	pdf, img := []byte(minimalPDF), pngOf(t)
	var pdfA, pngA *v1.Attachment

	testenv.Step(t, "the expert attaches a PDF and an image; the type comes from the content", func(t *testing.T) {
		pdfA = testenv.Must(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "Strategia Łodzi 2030.pdf", Content: pdf})).GetAttachment()
		pngA = testenv.Must(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "zdjęcie.jpg", Content: img})).GetAttachment()
		if pdfA.GetMediaType() != "application/pdf" || pdfA.GetSha256() != hexSHA(pdf) || pdfA.GetSize() != int64(len(pdf)) || pdfA.GetUrl() != "/attachments/"+pdfA.GetId() {
			t.Errorf("PDF attachment = %v", pdfA)
		}
		if pngA.GetMediaType() != "image/png" || pngA.GetKind() != "image" {
			t.Errorf("a PNG named .jpg = %s (%s); want image/png, by its content", pngA.GetMediaType(), pngA.GetKind())
		}
		again := testenv.Must(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "kopia.pdf", Content: pdf})).GetAttachment()
		if again.GetId() != pdfA.GetId() {
			t.Errorf("the same file twice made two attachments")
		}
		got := testenv.Must(expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
		if as := got.GetPractices()[0].GetAttachments(); len(as) != 2 || as[0].GetId() != pdfA.GetId() || as[1].GetId() != pngA.GetId() {
			t.Errorf("the practice's attachments = %v; want the PDF and the image", as)
		}
	})

	for _, bad := range []struct {
		name, filename string
		content        []byte
		code           connect.Code
		field          string
	}{
		{"an HTML page", "strona.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), connect.CodeInvalidArgument, "content"},
		{"an SVG image", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), connect.CodeInvalidArgument, "content"},
		{"a file name with a folder", "../../etc/passwd.pdf", pdf, connect.CodeInvalidArgument, "filename"},
		{"an empty file", "pusty.pdf", nil, connect.CodeInvalidArgument, "content"},
	} {
		testenv.Step(t, "refused: "+bad.name, func(t *testing.T) {
			env.Refused(t, bad.code, bad.field, func() error {
				return testenv.ErrOf(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: bad.filename, Content: bad.content}))
			})
		})
	}
	testenv.Step(t, "refused: another city's expert, and a practice that is not the report's", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(r.Experts[1].Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "x.pdf", Content: pdf}))
		})
		env.Refused(t, connect.CodeNotFound, "practice_id", func() error {
			return testenv.ErrOf(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: id, Filename: "x.pdf", Content: pdf}))
		})
	})

	testenv.Step(t, "the expert and the organisers read the files in the browser; nobody else does yet", func(t *testing.T) {
		for _, token := range []string{expertToken, orgToken} {
			code, h, body := get(t, env, pdfA.GetUrl(), token)
			if code != http.StatusOK || !bytes.Equal(body, pdf) || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s = %d %s (%d bytes)", pdfA.GetUrl(), code, h.Get("Content-Type"), len(body))
			}
		}
		if code, h, body := get(t, env, pngA.GetUrl(), expertToken); code != http.StatusOK || !bytes.Equal(body, img) || h.Get("Content-Security-Policy") == "" {
			t.Errorf("the image = %d (%d bytes), CSP %q", code, len(body), h.Get("Content-Security-Policy"))
		}
		for who, token := range map[string]string{"anonymous": "", "another expert": env.Token(t, r.Emails[1])} {
			if code, _, _ := get(t, env, pdfA.GetUrl(), token); code != http.StatusNotFound {
				t.Errorf("%s reading a draft's attachment = %d; want 404", who, code)
			}
		}
	})

	testenv.Step(t, "removing one; the submission records the remaining file's SHA-256 in the log", func(t *testing.T) {
		testenv.Must(expert.Reports.DeleteAttachment(ctx, &v1.DeleteAttachmentRequest{EditionId: id, CityId: city, AttachmentId: pngA.GetId()}))
		cur := testenv.Must(expert.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
		testenv.Must(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "zdjęcie.png", Content: img}))
		sub := testenv.Must(expert.Reports.SubmitReport(ctx, &v1.SubmitReportRequest{EditionId: id, CityId: city, ExpectedVersion: cur.GetVersion()})).GetReport()
		var payload []byte
		if err := env.App.Pool.QueryRow(ctx, `SELECT payload FROM events WHERE kind = 'report.submitted' AND payload->>'report_id' = $1`, sub.GetId()).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var p struct{ Attachments []string }
		if err := json.Unmarshal(payload, &p); err != nil {
			t.Fatal(err)
		}
		want := []string{"sha256:" + hexSHA(pdf), "sha256:" + hexSHA(img)}
		slices.Sort(want)
		if !slices.Equal(p.Attachments, want) {
			t.Errorf("report.submitted attachments = %v; want %v", p.Attachments, want)
		}
		env.Refused(t, connect.CodeFailedPrecondition, testenv.AnyField, func() error {
			return testenv.ErrOf(expert.Reports.UploadAttachment(ctx, &v1.UploadAttachmentRequest{EditionId: id, CityId: city, PracticeId: practice, Filename: "późno.pdf", Content: append([]byte(minimalPDF), ' ')}))
		})
	})

	var nomination string
	testenv.Step(t, "once the report is accepted the edition's other experts read its files", func(t *testing.T) {
		cur := testenv.Must(org.Reports.GetReport(ctx, &v1.GetReportRequest{EditionId: id, CityId: city})).GetReport()
		testenv.Must(org.Reports.AcceptReport(ctx, &v1.AcceptReportRequest{EditionId: id, CityId: city, ExpectedVersion: cur.GetVersion()}))
		if code, _, body := get(t, env, pdfA.GetUrl(), env.Token(t, r.Emails[1])); code != http.StatusOK || !bytes.Equal(body, pdf) {
			t.Errorf("another expert reading an accepted report's file = %d", code)
		}
		testenv.Must(org.Editions.ChangeStage(ctx, &v1.ChangeStageRequest{EditionId: id, Stage: v1.Stage_STAGE_REVIEW}))
		nomination = testenv.Must(org.Reports.Nominate(ctx, &v1.NominateRequest{EditionId: id, PracticeId: practice})).GetNomination().GetId()
	})

	testenv.Step(t, "the public reads a file only once published, of a distinguished practice, after the announcement", func(t *testing.T) {
		env.Refused(t, connect.CodePermissionDenied, testenv.AnyField, func() error {
			return testenv.ErrOf(expert.Reports.PublishAttachment(ctx, &v1.PublishAttachmentRequest{AttachmentId: pdfA.GetId(), Published: true}))
		})
		if a := testenv.Must(org.Reports.PublishAttachment(ctx, &v1.PublishAttachmentRequest{AttachmentId: pdfA.GetId(), Published: true})).GetAttachment(); !a.GetPublished() {
			t.Fatalf("PublishAttachment = %v", a)
		}
		if code, _, _ := get(t, env, pdfA.GetUrl(), ""); code != http.StatusNotFound {
			t.Errorf("the public reading a published file before the announcement = %d; want 404", code)
		}
		// Stage 2 (the jury's scores, the tally, the announcement) is other tests' business: here the
		// database is set to where it ends, the practice distinguished and the edition announced.
		distinguish(t, env, nomination)
		if _, err := env.App.Pool.Exec(ctx, `UPDATE editions SET stage = 'ANNOUNCED' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if code, _, body := get(t, env, pdfA.GetUrl(), ""); code != http.StatusOK || !bytes.Equal(body, pdf) {
			t.Errorf("the public reading a published file of a distinguished practice = %d", code)
		}
		for _, url := range []string{pngA.GetUrl(), "/attachments/" + nomination, "/attachments/nie-uuid"} {
			if code, _, _ := get(t, env, url, ""); code != http.StatusNotFound {
				t.Errorf("the public reading %s = %d; want 404 (the picture was removed, then attached again unpublished)", url, code)
			}
		}
		testenv.Must(org.Reports.PublishAttachment(ctx, &v1.PublishAttachmentRequest{AttachmentId: pdfA.GetId(), Published: false}))
		if code, _, _ := get(t, env, pdfA.GetUrl(), ""); code != http.StatusNotFound {
			t.Errorf("the public reading a withdrawn file = %d; want 404", code)
		}
	})
}
