package attach_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"gocloud.dev/blob"

	"github.com/miasta-otwarte/miasta/internal/attach"
)

// --- Real minimal files of every kind, built here rather than shipped, so each says what it is.

// pdfFile is a one-page PDF whose cross-reference table has the real offsets.
func pdfFile(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var offsets []int
	for i, o := range objs {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func picture() image.Image {
	img := image.NewPaletted(image.Rect(0, 0, 4, 3), []color.Color{color.White, color.RGBA{200, 30, 40, 255}})
	img.SetColorIndex(1, 1, 1)
	return img
}

func pngFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, picture()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, picture(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := gif.Encode(&b, picture(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpFile is a RIFF/WEBP container with one chunk of the given FourCC (VP8L: lossless).
func webpFile(fourCC string) []byte {
	payload := []byte{0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(payload)))
	b.WriteString("WEBP")
	b.WriteString(fourCC)
	binary.Write(&b, binary.LittleEndian, uint32(len(payload)))
	b.Write(payload)
	return b.Bytes()
}

type entry struct {
	name, body string
	store      bool // stored uncompressed, as OpenDocument's mimetype must be
}

func zipFile(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		f, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(f, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`

// ooxmlFile is an Office Open XML package with its main part in dir (word, xl or ppt).
func ooxmlFile(t *testing.T, dir string, extra ...entry) []byte {
	main := map[string]string{"word": "document.xml", "xl": "workbook.xml", "ppt": "presentation.xml"}[dir]
	return zipFile(t, append([]entry{
		{name: "[Content_Types].xml", body: contentTypes},
		{name: "_rels/.rels", body: `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`},
		{name: dir + "/" + main, body: `<?xml version="1.0"?><root/>`},
	}, extra...)...)
}

// odfFile is an OpenDocument package of the given MIME type, mimetype first and stored.
func odfFile(t *testing.T, mime string, extra ...entry) []byte {
	return zipFile(t, append([]entry{
		{name: "mimetype", body: mime, store: true},
		{name: "content.xml", body: `<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`},
		{name: "META-INF/manifest.xml", body: `<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>`},
	}, extra...)...)
}

// oleFile is a version 3 compound file (MS-CFB): header, one FAT sector, one directory sector with
// the root entry and one stream entry per name. Enough for a reader of the directory, as a real
// .doc's is.
func oleFile(names ...string) []byte {
	const ss = 512
	le := binary.LittleEndian
	b := make([]byte, 3*ss) // header, sector 0 (FAT), sector 1 (directory)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(b[24:], 0x3E)
	le.PutUint16(b[26:], 3)
	le.PutUint16(b[28:], 0xFFFE)
	le.PutUint16(b[30:], 9)
	le.PutUint16(b[32:], 6)
	le.PutUint32(b[44:], 1)          // one FAT sector
	le.PutUint32(b[48:], 1)          // the directory starts at sector 1
	le.PutUint32(b[56:], 4096)       // mini stream cutoff
	le.PutUint32(b[60:], 0xFFFFFFFE) // no mini FAT
	le.PutUint32(b[68:], 0xFFFFFFFE) // no DIFAT sectors
	for i := range 109 {
		le.PutUint32(b[76+4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(b[76:], 0) // the FAT is sector 0
	fat := b[ss : 2*ss]
	for i := range ss / 4 {
		le.PutUint32(fat[4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // sector 0: a FAT sector
	le.PutUint32(fat[4:], 0xFFFFFFFE) // sector 1: the directory, one sector long
	dir := b[2*ss:]
	for i, n := range append([]string{"Root Entry"}, names...) {
		if i >= ss/128 {
			panic("too many names for one directory sector")
		}
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(n))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = 2 // stream
		if i == 0 {
			e[66] = 5 // root storage
		}
		le.PutUint32(e[68:], 0xFFFFFFFF)
		le.PutUint32(e[72:], 0xFFFFFFFF)
		le.PutUint32(e[76:], 0xFFFFFFFF)
		le.PutUint32(e[116:], 0xFFFFFFFE)
	}
	return b
}

func TestSniff(t *testing.T) {
	t.Parallel()
	allowed := []struct {
		name    string
		content []byte
		want    attach.MediaType
		kind    attach.Kind
	}{
		{"pdf", pdfFile(t), attach.PDF, attach.KindPDF},
		{"png", pngFile(t), attach.PNG, attach.KindImage},
		{"jpeg", jpegFile(t), attach.JPEG, attach.KindImage},
		{"gif", gifFile(t), attach.GIF, attach.KindImage},
		{"webp", webpFile("VP8L"), attach.WebP, attach.KindImage},
		{"docx", ooxmlFile(t, "word"), attach.DOCX, attach.KindDocument},
		{"xlsx", ooxmlFile(t, "xl"), attach.XLSX, attach.KindSpreadsheet},
		{"pptx", ooxmlFile(t, "ppt"), attach.PPTX, attach.KindPresentation},
		{"odt", odfFile(t, "application/vnd.oasis.opendocument.text"), attach.ODT, attach.KindDocument},
		{"ods", odfFile(t, "application/vnd.oasis.opendocument.spreadsheet"), attach.ODS, attach.KindSpreadsheet},
		{"odp", odfFile(t, "application/vnd.oasis.opendocument.presentation"), attach.ODP, attach.KindPresentation},
		{"doc", oleFile("WordDocument", "1Table", "\x05SummaryInformation"), attach.DOC, attach.KindDocument},
		{"xls", oleFile("Workbook"), attach.XLS, attach.KindSpreadsheet},
		{"xls (Excel 5)", oleFile("Book"), attach.XLS, attach.KindSpreadsheet},
		{"ppt", oleFile("PowerPoint Document", "Current User"), attach.PPT, attach.KindPresentation},
	}
	for _, c := range allowed {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := attach.Sniff(c.content)
			if err != nil {
				t.Fatalf("Sniff: %v", err)
			}
			if got != c.want || got.Kind != c.kind {
				t.Errorf("Sniff = %v (%s), want %v (%s)", got, got.Kind, c.want, c.kind)
			}
		})
	}

	refused := []struct {
		name     string
		content  []byte
		detected string // part of the error's message
	}{
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "text/html"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "image/svg+xml"},
		{"svg without prolog", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "image/svg+xml"},
		{"text", []byte("Strategia rozwoju miasta 2030\n"), "text/plain"},
		{"elf", append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 57)...), "ELF executable"},
		{"exe", append([]byte("MZ\x90\x00"), make([]byte, 60)...), "Windows executable"},
		{"script", []byte("#!/bin/sh\nrm -rf /\n"), "script"},
		{"zip", zipFile(t, entry{name: "strategia.txt", body: "hello"}), "application/zip"},
		{"zip with word/ but no [Content_Types].xml", zipFile(t, entry{name: "word/document.xml", body: "<x/>"}), "application/zip"},
		{"docm", ooxmlFile(t, "word", entry{name: "word/vbaProject.bin", body: "VBA"}), "macro-enabled"},
		{"odt with mimetype not first", zipFile(t, entry{name: "content.xml", body: "<x/>"}, entry{name: "mimetype", body: attach.ODT.MIME, store: true}), "application/zip"},
		{"odf of another type", odfFile(t, "application/vnd.oasis.opendocument.graphics"), "opendocument.graphics"},
		{"odt with macros", odfFile(t, attach.ODT.MIME, entry{name: "Basic/Standard/Module1.xml", body: "<x/>"}), "macros"},
		{"ole magic alone", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "damaged OLE"},
		{"msi", oleFile("\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824"), "not a Word, Excel or PowerPoint"},
		{"doc with macros", oleFile("WordDocument", "Macros"), "macros"},
		{"png magic before junk", append([]byte("\x89PNG\r\n\x1a\n"), "not an image at all"...), "damaged image/png"},
		{"riff that is not webp", []byte("RIFF\x10\x00\x00\x00WAVEfmt \x00\x00\x00\x00"), "audio/wave"},
		{"webp with an unknown chunk", webpFile("ABCD"), "not a WebP"},
		{"pdf after junk", append([]byte("junk"), pdfFile(t)...), "text/plain"},
	}
	for _, c := range refused {
		t.Run("refuses "+c.name, func(t *testing.T) {
			t.Parallel()
			got, err := attach.Sniff(c.content)
			if !errors.Is(err, attach.ErrType) {
				t.Fatalf("Sniff = %v, %v; want an error wrapping ErrType", got, err)
			}
			var te *attach.TypeError
			if !errors.As(err, &te) || !strings.Contains(te.Error(), c.detected) {
				t.Errorf("error %q does not name %q", err, c.detected)
			}
		})
	}

	t.Run("refuses empty", func(t *testing.T) {
		t.Parallel()
		if _, err := attach.Sniff(nil); !errors.Is(err, attach.ErrEmpty) {
			t.Errorf("Sniff(nil) error = %v, want ErrEmpty", err)
		}
	})
}

// --- The store, on a directory and on an S3 server.

func openFileStore(t *testing.T) (*attach.Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "not", "yet", "there")
	s, err := attach.Open(t.Context(), "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, dir
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// read opens and reads one attachment whole, failing the test on any error.
func read(t *testing.T, s *attach.Store, sha string) ([]byte, attach.Attributes) {
	t.Helper()
	rc, attrs, err := s.Open(t.Context(), sha)
	if err != nil {
		t.Fatalf("Open(%s): %v", sha, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", sha, err)
	}
	return b, attrs
}

// roundTrip is what every backend must do: store, read back, store again, delete.
func roundTrip(t *testing.T, s *attach.Store) {
	ctx := t.Context()
	for _, c := range []struct {
		name    string
		content []byte
		want    attach.MediaType
	}{
		{"pdf", pdfFile(t), attach.PDF},
		{"jpeg", jpegFile(t), attach.JPEG},
		{"docx", ooxmlFile(t, "word"), attach.DOCX},
	} {
		obj, err := s.Put(ctx, c.content)
		if err != nil {
			t.Fatalf("Put %s: %v", c.name, err)
		}
		if obj.Hex() != hexSum(c.content) || obj.SHA256 != sha256.Sum256(c.content) || obj.Size != int64(len(c.content)) || obj.MediaType != c.want {
			t.Errorf("Put %s = %+v (hex %s), want digest %s, size %d, %v", c.name, obj, obj.Hex(), hexSum(c.content), len(c.content), c.want)
		}
		got, attrs := read(t, s, obj.Hex())
		if !bytes.Equal(got, c.content) {
			t.Errorf("%s read back differs: %d bytes, want %d", c.name, len(got), len(c.content))
		}
		if attrs.MediaType != c.want || attrs.Size != obj.Size || attrs.SHA256 != obj.SHA256 || attrs.ModTime.IsZero() {
			t.Errorf("%s attributes = %+v, want %v, size %d, a modification time", c.name, attrs, c.want, obj.Size)
		}
		// Upper-case hex names the same object.
		if got, _ := read(t, s, strings.ToUpper(obj.Hex())); !bytes.Equal(got, c.content) {
			t.Errorf("%s read by upper-case digest differs", c.name)
		}

		again, err := s.Put(ctx, c.content)
		if err != nil || again != obj {
			t.Errorf("second Put %s = %+v, %v; want %+v, nil", c.name, again, err, obj)
		}
	}

	// Uploads of one file at once all succeed, whichever writes the object.
	gif := gifFile(t)
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			_, err := s.Put(ctx, gif)
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Put: %v", err)
		}
	}
	if got, _ := read(t, s, hexSum(gif)); !bytes.Equal(got, gif) {
		t.Error("object of concurrent Puts differs")
	}

	missing := hexSum([]byte("never stored"))
	if _, _, err := s.Open(ctx, missing); !errors.Is(err, attach.ErrNotFound) {
		t.Errorf("Open(missing) error = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, missing); !errors.Is(err, attach.ErrNotFound) {
		t.Errorf("Delete(missing) error = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64), "../" + strings.Repeat("0", 61), hexSum(nil) + "00"} {
		if _, _, err := s.Open(ctx, bad); !errors.Is(err, attach.ErrDigest) {
			t.Errorf("Open(%q) error = %v, want ErrDigest", bad, err)
		}
		if err := s.Delete(ctx, bad); !errors.Is(err, attach.ErrDigest) {
			t.Errorf("Delete(%q) error = %v, want ErrDigest", bad, err)
		}
	}

	png := pngFile(t)
	obj, err := s.Put(ctx, png)
	if err != nil {
		t.Fatalf("Put png: %v", err)
	}
	if err := s.Delete(ctx, obj.Hex()); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := s.Open(ctx, obj.Hex()); !errors.Is(err, attach.ErrNotFound) {
		t.Errorf("Open after Delete error = %v, want ErrNotFound", err)
	}
	if _, err := s.Put(ctx, png); err != nil {
		t.Errorf("Put after Delete: %v", err)
	}

	refusals := []struct {
		name    string
		content []byte
		want    error
	}{
		{"empty", nil, attach.ErrEmpty},
		{"too large", append(pdfFile(t), make([]byte, attach.MaxSize)...), attach.ErrTooLarge},
		{"html", []byte("<html><script>alert(1)</script></html>"), attach.ErrType},
	}
	for _, c := range refusals {
		if obj, err := s.Put(ctx, c.content); !errors.Is(err, c.want) {
			t.Errorf("Put %s = %+v, %v; want %v", c.name, obj, err, c.want)
		}
	}
	// At exactly MaxSize a PDF is still taken (trailing bytes are allowed after %%EOF).
	if _, err := s.Put(ctx, append(pdfFile(t), make([]byte, attach.MaxSize-len(pdfFile(t)))...)); err != nil {
		t.Errorf("Put of exactly MaxSize: %v", err)
	}
}

func TestFileStore(t *testing.T) {
	t.Parallel()
	s, dir := openFileStore(t)
	roundTrip(t, s)

	// Every object is one file under sha256/ with its sidecar, and no temporary file is left.
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for _, c := range [][]byte{pdfFile(t), jpegFile(t), ooxmlFile(t, "word"), pngFile(t), append(pdfFile(t), make([]byte, attach.MaxSize-len(pdfFile(t)))...)} {
		want = append(want, "sha256/"+hexSum(c), "sha256/"+hexSum(c)+".attrs")
	}
	for _, c := range [][]byte{gifFile(t)} {
		want = append(want, "sha256/"+hexSum(c), "sha256/"+hexSum(c)+".attrs")
	}
	sidecar, err := os.ReadFile(filepath.Join(dir, "sha256", hexSum(pdfFile(t))+".attrs"))
	if err != nil || !bytes.Contains(sidecar, []byte(`"user.content_disposition":"attachment"`)) || !bytes.Contains(sidecar, []byte(`"user.content_type":"application/pdf"`)) {
		t.Errorf("sidecar %s (%v) lacks the content type or disposition", sidecar, err)
	}
	slices.Sort(files)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("files in the bucket:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
}

func TestFileStoreTampered(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	t.Run("content altered, same size", func(t *testing.T) {
		t.Parallel()
		s, dir := openFileStore(t)
		content := pdfFile(t)
		obj, err := s.Put(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sha256", obj.Hex())
		altered := bytes.Replace(content, []byte("595 842"), []byte("842 595"), 1)
		if err := os.WriteFile(path, altered, 0o644); err != nil {
			t.Fatal(err)
		}
		rc, attrs, err := s.Open(ctx, obj.Hex())
		if err != nil {
			t.Fatalf("Open: %v", err) // the first bytes still look like a PDF: it streams
		}
		defer rc.Close()
		if attrs.MediaType != attach.PDF {
			t.Errorf("media type %v, want PDF", attrs.MediaType)
		}
		got, err := io.ReadAll(rc)
		if !errors.Is(err, attach.ErrCorrupt) {
			t.Fatalf("read of a tampered object: %d bytes, error %v; want ErrCorrupt", len(got), err)
		}
		if _, err := rc.Read(make([]byte, 10)); !errors.Is(err, attach.ErrCorrupt) {
			t.Errorf("a Read after the failure gives %v, want ErrCorrupt again", err)
		}

		// Putting the file again does not see the damage (size and type match): that is what reads
		// are checked for. Deleting and putting again repairs it.
		if err := s.Delete(ctx, obj.Hex()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, content); err != nil {
			t.Fatal(err)
		}
		if got, _ := read(t, s, obj.Hex()); !bytes.Equal(got, content) {
			t.Error("repaired object differs")
		}
	})

	t.Run("content truncated, then repaired by Put", func(t *testing.T) {
		t.Parallel()
		s, dir := openFileStore(t)
		content := gifFile(t)
		obj, err := s.Put(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sha256", obj.Hex())
		if err := os.WriteFile(path, content[:len(content)-5], 0o644); err != nil {
			t.Fatal(err)
		}
		rc, _, err := s.Open(ctx, obj.Hex())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(rc); !errors.Is(err, attach.ErrCorrupt) {
			t.Errorf("read of a truncated object: %v, want ErrCorrupt", err)
		}
		rc.Close()
		if _, err := s.Put(ctx, content); err != nil {
			t.Fatal(err)
		}
		if got, _ := read(t, s, obj.Hex()); !bytes.Equal(got, content) {
			t.Error("object Put again still differs")
		}
	})

	t.Run("content type altered in the sidecar", func(t *testing.T) {
		t.Parallel()
		s, dir := openFileStore(t)
		content := pngFile(t)
		obj, err := s.Put(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		sidecar := filepath.Join(dir, "sha256", obj.Hex()+".attrs")
		b, err := os.ReadFile(sidecar)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte(`"image/png"`), []byte(`"text/html"`), 1)
		if err := os.WriteFile(sidecar, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, attrs := read(t, s, obj.Hex())
		if !bytes.Equal(got, content) || attrs.MediaType != attach.PNG {
			t.Errorf("read gave %d bytes as %v; want the PNG as PNG", len(got), attrs.MediaType)
		}

		// Without a sidecar the content is sniffed again too.
		if err := os.Remove(sidecar); err != nil {
			t.Fatal(err)
		}
		if _, attrs := read(t, s, obj.Hex()); attrs.MediaType != attach.PNG {
			t.Errorf("read without sidecar gave %v, want PNG", attrs.MediaType)
		}
		// And Put writes the sidecar back.
		if _, err := s.Put(ctx, content); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(sidecar); err != nil || !bytes.Contains(b, []byte(`"image/png"`)) {
			t.Errorf("sidecar after Put: %s, %v", b, err)
		}
	})

	t.Run("content type and content altered", func(t *testing.T) {
		t.Parallel()
		s, dir := openFileStore(t)
		obj, err := s.Put(ctx, pngFile(t))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sha256", obj.Hex())
		if err := os.WriteFile(path, []byte("<html><script>alert(1)</script></html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if rc, attrs, err := s.Open(ctx, obj.Hex()); !errors.Is(err, attach.ErrCorrupt) {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("Open of HTML stored as a PNG = %+v, %v; want ErrCorrupt before anything is read", attrs, err)
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, u := range []string{
		"gs://bucket",
		"mem://",
		"file://" + filepath.ToSlash(dir) + "?metadata=skip",
		"file://" + filepath.ToSlash(dir) + "?no_such_option=1",
		"::not a url",
	} {
		if s, err := attach.Open(t.Context(), u); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", u)
		}
	}
	// A path that is a file, not a directory.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := attach.Open(t.Context(), "file://"+filepath.ToSlash(file)); err == nil {
		s.Close()
		t.Errorf("Open of a file succeeded")
	}
}

// TestS3Store runs the round trip against gofakes3, an S3 server in this process on loopback, through
// the same s3:// URL a deployment would use. It sets the SDK's environment, so it is not parallel.
func TestS3Store(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("attachments"); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)

	t.Setenv("AWS_ACCESS_KEY_ID", "test-access-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret-key")
	t.Setenv("AWS_REGION", "us-east-1")
	// Keep the SDK off this machine's AWS files and off the instance metadata service.
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	base := "s3://attachments?endpoint=" + srv.URL + "&region=us-east-1&use_path_style=true&disable_https=true"
	s, err := attach.Open(t.Context(), base)
	if err != nil {
		t.Fatalf("Open(%s): %v", base, err)
	}
	t.Cleanup(func() { s.Close() })
	roundTrip(t, s)
	stored, err := backend.HeadObject("attachments", "sha256/"+hexSum(pdfFile(t)))
	if err != nil {
		t.Fatal(err)
	}
	if stored.Metadata["Content-Type"] != attach.PDF.MIME || stored.Metadata["Content-Disposition"] != attach.ContentDisposition {
		t.Errorf("object stored with metadata %v, want its content type and disposition", stored.Metadata)
	}

	// Someone with write access to the bucket replaces an object through the S3 API: the store's
	// checksums are the new bytes', so only the digest check can tell.
	t.Run("replaced through the S3 API", func(t *testing.T) {
		ctx := t.Context()
		content := pdfFile(t)
		obj, err := s.Put(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := blob.OpenBucket(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		altered := bytes.Replace(content, []byte("595 842"), []byte("842 595"), 1)
		if err := raw.WriteAll(ctx, "sha256/"+obj.Hex(), altered, &blob.WriterOptions{ContentType: attach.PDF.MIME}); err != nil {
			t.Fatal(err)
		}
		rc, _, err := s.Open(ctx, obj.Hex())
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if _, err := io.ReadAll(rc); !errors.Is(err, attach.ErrCorrupt) {
			t.Errorf("read of a replaced object: %v, want ErrCorrupt", err)
		}
	})

	// The bytes change under the S3 server (its disk), which still sends the old checksum: the
	// SDK's own response check fails the read first. Either way the read fails.
	t.Run("altered under the server", func(t *testing.T) {
		ctx := t.Context()
		content := jpegFile(t)
		obj, err := s.Put(ctx, content)
		if err != nil {
			t.Fatal(err)
		}
		altered := bytes.Clone(content)
		altered[len(altered)/2] ^= 0xFF
		meta := map[string]string{"Content-Type": attach.JPEG.MIME}
		if _, err := backend.PutObject("attachments", "sha256/"+obj.Hex(), meta, bytes.NewReader(altered), int64(len(altered)), nil); err != nil {
			t.Fatal(err)
		}
		rc, _, err := s.Open(ctx, obj.Hex())
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if got, err := io.ReadAll(rc); err == nil {
			t.Errorf("read of an altered object gave %d bytes and no error", len(got))
		}
	})

	t.Run("missing bucket", func(t *testing.T) {
		u := strings.Replace(base, "s3://attachments", "s3://no-such-bucket", 1)
		if s, err := attach.Open(t.Context(), u); err == nil {
			s.Close()
			t.Errorf("Open(%s) succeeded", u)
		}
	})
}
