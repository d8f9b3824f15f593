package attach

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
)

// Kind is a short name for what an attachment is, for a caller that shows an icon or groups files;
// it says nothing a MIME type does not, but callers need not parse MIME types to get it.
type Kind string

// The kinds Sniff gives. Images are one kind because nobody treats a PNG differently from a JPEG.
const (
	KindPDF          Kind = "pdf"          // PDF
	KindImage        Kind = "image"        // PNG, JPEG, WebP, GIF
	KindDocument     Kind = "document"     // DOCX, ODT, DOC
	KindSpreadsheet  Kind = "spreadsheet"  // XLSX, ODS, XLS
	KindPresentation Kind = "presentation" // PPTX, ODP, PPT
)

// MediaType is an allowed type of attachment: its canonical MIME type, which is what the store
// records and what a server sends as Content-Type, and its Kind. Only the values below exist; a
// MediaType is never built from what a client claims.
type MediaType struct {
	MIME string // the canonical MIME type, as stored and served
	Kind Kind   // what kind of attachment it is
	// magic is the family of leading bytes this type's files start with, so that a read can check
	// the stored content type against the content's first bytes (see Store.Open).
	magic magic
}

// String returns the MIME type, so a MediaType prints as what it stands for.
func (m MediaType) String() string { return m.MIME }

// The allowed media types, one variable each so that callers and tests compare with them rather
// than with MIME strings.
var (
	// PDF is a PDF document (city strategies, reports).
	PDF = MediaType{"application/pdf", KindPDF, magicPDF}
	// PNG is a PNG image.
	PNG = MediaType{"image/png", KindImage, magicPNG}
	// JPEG is a JPEG image (photos).
	JPEG = MediaType{"image/jpeg", KindImage, magicJPEG}
	// WebP is a WebP image.
	WebP = MediaType{"image/webp", KindImage, magicWebP}
	// GIF is a GIF image.
	GIF = MediaType{"image/gif", KindImage, magicGIF}
	// DOCX is a Word document in Office Open XML (without macros).
	DOCX = MediaType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", KindDocument, magicZIP}
	// XLSX is an Excel workbook in Office Open XML (without macros).
	XLSX = MediaType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", KindSpreadsheet, magicZIP}
	// PPTX is a PowerPoint presentation in Office Open XML (without macros).
	PPTX = MediaType{"application/vnd.openxmlformats-officedocument.presentationml.presentation", KindPresentation, magicZIP}
	// ODT is an OpenDocument text.
	ODT = MediaType{"application/vnd.oasis.opendocument.text", KindDocument, magicZIP}
	// ODS is an OpenDocument spreadsheet.
	ODS = MediaType{"application/vnd.oasis.opendocument.spreadsheet", KindSpreadsheet, magicZIP}
	// ODP is an OpenDocument presentation.
	ODP = MediaType{"application/vnd.oasis.opendocument.presentation", KindPresentation, magicZIP}
	// DOC is a legacy Word document (an OLE compound file with a WordDocument stream).
	DOC = MediaType{"application/msword", KindDocument, magicOLE}
	// XLS is a legacy Excel workbook (an OLE compound file with a Workbook or Book stream).
	XLS = MediaType{"application/vnd.ms-excel", KindSpreadsheet, magicOLE}
	// PPT is a legacy PowerPoint presentation (an OLE compound file with a "PowerPoint Document"
	// stream).
	PPT = MediaType{"application/vnd.ms-powerpoint", KindPresentation, magicOLE}
)

// mediaTypes maps a canonical MIME type back to its MediaType, for reading what the bucket recorded.
var mediaTypes = func() map[string]MediaType {
	m := map[string]MediaType{}
	for _, t := range []MediaType{PDF, PNG, JPEG, WebP, GIF, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT} {
		m[t.MIME] = t
	}
	return m
}()

// ErrType is what Sniff's refusals wrap (as a *TypeError): the content is not a type of attachment
// the platform takes. A caller maps it to InvalidArgument.
var ErrType = errors.New("attach: file type not allowed")

// ErrEmpty is Sniff's and Store.Put's refusal of a file with no bytes: nobody means to attach
// nothing, and an empty object has no type to serve it as.
var ErrEmpty = errors.New("attach: the file is empty")

// TypeError is a refused file's type as far as Sniff told it, so that the message says what was
// refused ("text/html", "Windows executable") rather than only that something was.
type TypeError struct {
	// Detected is a MIME type or a short description; it is for people and logs, not for matching.
	Detected string
}

// Error names the detected type.
func (e *TypeError) Error() string {
	return fmt.Sprintf("attach: file type not allowed: the content is %s; allowed are PDF, PNG, JPEG, WebP, GIF, Word, Excel, PowerPoint and OpenDocument files", e.Detected)
}

// Unwrap makes errors.Is(err, ErrType) true for every TypeError.
func (e *TypeError) Unwrap() error { return ErrType }

func refuse(detected string) error { return &TypeError{Detected: detected} }

// magic is a family of leading bytes.
type magic int

const (
	magicNone magic = iota
	magicPDF
	magicPNG
	magicJPEG
	magicGIF
	magicWebP
	magicZIP
	magicOLE
)

var oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// magicOf classifies content by its first bytes alone. Every allowed type must start with its magic
// (no leading junk), which also refuses polyglots that hide one format after another's header.
func magicOf(b []byte) magic {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return magicPDF
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return magicPNG
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return magicJPEG
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return magicGIF
	case len(b) >= 12 && bytes.HasPrefix(b, []byte("RIFF")) && string(b[8:12]) == "WEBP":
		return magicWebP
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return magicZIP
	case bytes.HasPrefix(b, oleSignature):
		return magicOLE
	}
	return magicNone
}

// Sniff decides what content is from its bytes alone, never from a file name or a claimed type,
// which a client can set to anything. It returns one of the MediaType values above, ErrEmpty, or a
// *TypeError (errors.Is ErrType) for everything else: text, HTML and SVG (a browser may run their
// scripts), executables, archives that are not office documents, and macro-enabled office files.
func Sniff(content []byte) (MediaType, error) {
	if len(content) == 0 {
		return MediaType{}, ErrEmpty
	}
	switch magicOf(content) {
	case magicPDF:
		return PDF, nil
	case magicPNG:
		return checkImage(content, PNG)
	case magicJPEG:
		return checkImage(content, JPEG)
	case magicGIF:
		return checkImage(content, GIF)
	case magicWebP:
		return webp(content)
	case magicZIP:
		return office(content)
	case magicOLE:
		return ole(content)
	}
	return MediaType{}, refuse(describe(content))
}

// checkImage checks that an image's header decodes, so that a few magic bytes in front of anything do
// not make an image.
func checkImage(content []byte, t MediaType) (MediaType, error) {
	decode := map[magic]func(io.Reader) (image.Config, error){magicPNG: png.DecodeConfig, magicJPEG: jpeg.DecodeConfig, magicGIF: gif.DecodeConfig}[t.magic]
	if _, err := decode(bytes.NewReader(content)); err != nil {
		return MediaType{}, refuse(fmt.Sprintf("a damaged %s image (%v)", t.MIME, err))
	}
	return t, nil
}

// webp checks the RIFF container's first chunk, which the standard library has no decoder for: a
// WebP file's is VP8 (lossy), VP8L (lossless) or VP8X (extended).
func webp(content []byte) (MediaType, error) {
	if len(content) >= 16 {
		switch string(content[12:16]) {
		case "VP8 ", "VP8L", "VP8X":
			return WebP, nil
		}
	}
	return MediaType{}, refuse("a RIFF file that is not a WebP image")
}

// office tells an Office Open XML or OpenDocument package from any other ZIP. It reads only the
// central directory's names and the small mimetype entry, never decompressing the parts, so a ZIP
// bomb costs nothing here.
func office(content []byte) (MediaType, error) {
	r, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if errors.Is(err, zip.ErrInsecurePath) {
		return MediaType{}, refuse("a ZIP archive with unsafe entry names")
	}
	if err != nil {
		return MediaType{}, refuse(fmt.Sprintf("a damaged ZIP archive (%v)", err))
	}
	if t, ok, err := openDocument(content, r); ok || err != nil {
		return t, err
	}
	var contentTypes bool
	found := map[string]bool{}
	for _, f := range r.File {
		name := strings.ToLower(f.Name)
		if name == "[content_types].xml" {
			contentTypes = true
		}
		// A VBA project is what makes docm, xlsm and pptm: macros a juror's office suite may run.
		if strings.HasSuffix(name, "vbaproject.bin") {
			return MediaType{}, refuse("a macro-enabled Office document")
		}
		if top, _, ok := strings.Cut(name, "/"); ok {
			found[top] = true
		}
	}
	if contentTypes {
		var ts []MediaType
		for _, c := range []struct {
			dir string
			t   MediaType
		}{{"word", DOCX}, {"xl", XLSX}, {"ppt", PPTX}} {
			if found[c.dir] {
				ts = append(ts, c.t)
			}
		}
		if len(ts) == 1 {
			return ts[0], nil
		}
		if len(ts) > 1 {
			return MediaType{}, refuse("an Office Open XML package that is more than one kind of document")
		}
	}
	return MediaType{}, refuse("application/zip")
}

// openDocument recognises an OpenDocument package by the rule of its specification (OpenDocument
// 1.2, part 3, 3.3): the first entry is named mimetype, is stored uncompressed, and holds the MIME
// type; ok is false for a ZIP that is not one. The name must be the first local header's (at byte
// 30), not only the central directory's first, because that is what the rule says and what other
// tools sniff.
func openDocument(content []byte, r *zip.Reader) (MediaType, bool, error) {
	if len(r.File) == 0 || r.File[0].Name != "mimetype" || len(content) < 38 || string(content[30:38]) != "mimetype" {
		return MediaType{}, false, nil
	}
	f := r.File[0]
	if f.Method != zip.Store || f.UncompressedSize64 > 100 {
		return MediaType{}, true, refuse("a ZIP archive with a malformed OpenDocument mimetype entry")
	}
	rc, err := f.Open()
	if err != nil {
		return MediaType{}, true, refuse(fmt.Sprintf("a damaged ZIP archive (%v)", err))
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 101))
	if err != nil {
		return MediaType{}, true, refuse(fmt.Sprintf("a damaged ZIP archive (%v)", err))
	}
	for _, fl := range r.File {
		// OpenDocument keeps Basic macros and scripts under these folders.
		if strings.HasPrefix(fl.Name, "Basic/") || strings.HasPrefix(fl.Name, "Scripts/") {
			return MediaType{}, true, refuse("an OpenDocument file with macros")
		}
	}
	switch string(b) {
	case ODT.MIME:
		return ODT, true, nil
	case ODS.MIME:
		return ODS, true, nil
	case ODP.MIME:
		return ODP, true, nil
	}
	return MediaType{}, true, refuse(fmt.Sprintf("an OpenDocument package of type %q", b))
}

// describe names refused content for the error message: the few dangerous kinds by name, the rest as
// net/http's sniffer (the WHATWG algorithm) sees them.
func describe(b []byte) string {
	head := b[:min(len(b), 1024)]
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return "an ELF executable"
	case bytes.HasPrefix(b, []byte("MZ")):
		return "a Windows executable"
	case bytes.HasPrefix(b, []byte{0xCF, 0xFA, 0xED, 0xFE}), bytes.HasPrefix(b, []byte{0xCE, 0xFA, 0xED, 0xFE}),
		bytes.HasPrefix(b, []byte{0xFE, 0xED, 0xFA, 0xCF}), bytes.HasPrefix(b, []byte{0xFE, 0xED, 0xFA, 0xCE}):
		return "a Mach-O executable"
	case bytes.HasPrefix(b, []byte("\x00asm")):
		return "a WebAssembly module"
	case bytes.HasPrefix(b, []byte("#!")):
		return "a script"
	case bytes.Contains(bytes.ToLower(head), []byte("<svg")):
		return "image/svg+xml"
	}
	return http.DetectContentType(b)
}
