package attach_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

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
