package translation

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XLIFF 2.0 (OASIS Standard, 5 August 2014), written and read with encoding/xml: no maintained Go
// library for XLIFF 2.0 exists, and the platform needs only the core's file, unit, segment, source
// and target with plain text. What is written validates against the OASIS core schema
// (testdata/xliff-2.0, checked by xmllint in the tests); what is read is checked unit by unit.

// xliffNS is the XLIFF 2.0 core namespace.
const xliffNS = "urn:oasis:names:tc:xliff:document:2.0"

// ProblemKind is what is wrong with a unit, or with the whole file, of an XLIFF import.
type ProblemKind string

// The problem kinds.
const (
	InvalidXML          ProblemKind = "INVALID_XML"
	NotXLIFF            ProblemKind = "NOT_XLIFF"
	WrongSourceLanguage ProblemKind = "WRONG_SOURCE_LANGUAGE"
	WrongTargetLanguage ProblemKind = "WRONG_TARGET_LANGUAGE"
	UnknownUnit         ProblemKind = "UNKNOWN_UNIT"
	DuplicateUnit       ProblemKind = "DUPLICATE_UNIT"
	OutdatedSource      ProblemKind = "OUTDATED_SOURCE"
	EmptyTarget         ProblemKind = "EMPTY_TARGET"
	OverLong            ProblemKind = "OVER_LONG"
	InvalidText         ProblemKind = "INVALID_TEXT"
)

// Problem is one bad unit of an import (UnitID empty: the whole file).
type Problem struct {
	UnitID  string
	Kind    ProblemKind
	Message string
	Line    int
}

// xliffFile is one <file> of an export: one practice.
type xliffFile struct {
	ID       string
	Original string
	Notes    []xliffNote
	Units    []xliffUnit
}

type xliffNote struct{ Category, Text string }

// xliffUnit is one text: its source and, when there is one, its current translation.
type xliffUnit struct {
	ID, Name, Source, Target, State string
}

// writeXLIFF writes an XLIFF 2.0 document from Polish into trgLang. Text is written as it is (line
// breaks included, with xml:space="preserve" on every unit); only what XML requires is escaped, and
// a carriage return as a character reference, which XML would otherwise turn into a line feed.
func writeXLIFF(trgLang string, files []xliffFile) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<xliff xmlns=%q version=\"2.0\" srcLang=\"%s\" trgLang=\"%s\">\n", xliffNS, SourceLanguage, attr(trgLang))
	for _, f := range files {
		fmt.Fprintf(&b, "  <file id=\"%s\" original=\"%s\" canResegment=\"no\">\n", attr(f.ID), attr(f.Original))
		if len(f.Notes) > 0 {
			b.WriteString("    <notes>\n")
			for _, n := range f.Notes {
				fmt.Fprintf(&b, "      <note category=\"%s\">%s</note>\n", attr(n.Category), text(n.Text))
			}
			b.WriteString("    </notes>\n")
		}
		for _, u := range f.Units {
			fmt.Fprintf(&b, "    <unit id=\"%s\" name=\"%s\" xml:space=\"preserve\">\n", attr(u.ID), attr(u.Name))
			state := u.State
			if state == "" {
				state = "initial"
			}
			fmt.Fprintf(&b, "      <segment state=\"%s\">\n", state)
			fmt.Fprintf(&b, "        <source>%s</source>\n", text(u.Source))
			if u.Target != "" {
				fmt.Fprintf(&b, "        <target>%s</target>\n", text(u.Target))
			}
			b.WriteString("      </segment>\n    </unit>\n")
		}
		b.WriteString("  </file>\n")
	}
	b.WriteString("</xliff>\n")
	return b.Bytes()
}

var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "\r", "&#xD;", "\n", "&#xA;", "\t", "&#x9;")
)

func text(s string) string { return textEscaper.Replace(s) }
func attr(s string) string { return attrEscaper.Replace(s) }

// parsedUnit is one unit of an imported file.
type parsedUnit struct {
	ID   string
	Line int
	// Source and Target join the unit's segments (and ignorables) in document order; an ignorable
	// without a target contributes its source to the target, as the standard says.
	Source    string
	Target    string
	HasTarget bool
	// TargetLang is a target's xml:lang, if any target has one.
	TargetLang string
	// Markup names an inline element (ph, pc, mrk…) found in a source or target: the texts are plain.
	Markup string
}

// parsedXLIFF is an imported file.
type parsedXLIFF struct {
	SrcLang, TrgLang string
	Units            []parsedUnit
}

// parseXLIFF reads an XLIFF 2.0 document. A document that is not well-formed XML, or not XLIFF 2.0,
// is one problem for the whole file; everything else is left to the unit checks.
func parseXLIFF(b []byte) (parsedXLIFF, *Problem) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var out parsedXLIFF
	var cur *parsedUnit
	var inSegment, isIgnorable bool
	var segTarget bool
	var segSource string
	var textOf *strings.Builder // the source or target being read
	var depthInText int
	var src, trg strings.Builder
	root := true
	var notXLIFF *Problem // reported once the whole file is known to be well-formed XML
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return parsedXLIFF{}, &Problem{Kind: InvalidXML, Message: "the file is not well-formed XML: " + err.Error(), Line: line}
		}
		if notXLIFF != nil {
			continue
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root {
				root = false
				if t.Name.Space != xliffNS || t.Name.Local != "xliff" {
					notXLIFF = &Problem{Kind: NotXLIFF, Message: fmt.Sprintf("the root element is {%s}%s, not XLIFF 2.0's {%s}xliff", t.Name.Space, t.Name.Local, xliffNS), Line: line}
				} else if v := attrValue(t, "", "version"); v != "2.0" {
					notXLIFF = &Problem{Kind: NotXLIFF, Message: fmt.Sprintf("the file is XLIFF version %q; version 2.0 is expected", v), Line: line}
				}
				out.SrcLang, out.TrgLang = attrValue(t, "", "srcLang"), attrValue(t, "", "trgLang")
				continue
			}
			if textOf != nil { // an element inside a source or target: inline markup
				depthInText++
				if cur != nil && cur.Markup == "" {
					cur.Markup = t.Name.Local
				}
				continue
			}
			if t.Name.Space != xliffNS {
				continue // an extension's element (the standard allows other namespaces); its text is ignored
			}
			switch t.Name.Local {
			case "unit":
				out.Units = append(out.Units, parsedUnit{ID: attrValue(t, "", "id"), Line: line})
				cur = &out.Units[len(out.Units)-1]
				src.Reset()
				trg.Reset()
			case "segment", "ignorable":
				if cur != nil {
					inSegment, isIgnorable, segTarget, segSource = true, t.Name.Local == "ignorable", false, ""
				}
			case "source", "target":
				if cur == nil || !inSegment {
					continue
				}
				var sb strings.Builder
				textOf = &sb
				depthInText = 0
				if t.Name.Local == "target" {
					segTarget = true
					if l := attrValue(t, xmlNS, "lang"); l != "" && cur.TargetLang == "" {
						cur.TargetLang = l
					}
				}
			}
		case xml.EndElement:
			if textOf != nil && depthInText > 0 {
				depthInText--
				continue
			}
			if textOf != nil && t.Name.Space == xliffNS && (t.Name.Local == "source" || t.Name.Local == "target") {
				s := normaliseNewlines(textOf.String())
				if t.Name.Local == "source" {
					segSource = s
					src.WriteString(s)
				} else {
					cur.HasTarget = true
					trg.WriteString(s)
				}
				textOf = nil
				continue
			}
			if t.Name.Space != xliffNS {
				continue
			}
			switch t.Name.Local {
			case "segment", "ignorable":
				if inSegment && isIgnorable && !segTarget {
					trg.WriteString(segSource)
				}
				inSegment = false
			case "unit":
				if cur != nil {
					cur.Source, cur.Target = src.String(), trg.String()
				}
				cur = nil
			}
		case xml.CharData:
			if textOf != nil {
				textOf.Write(t)
			}
		}
	}
	if root {
		return parsedXLIFF{}, &Problem{Kind: InvalidXML, Message: "the file is empty"}
	}
	if notXLIFF != nil {
		return parsedXLIFF{}, notXLIFF
	}
	return out, nil
}

// xmlNS is the namespace of xml:lang and xml:space.
const xmlNS = "http://www.w3.org/XML/1998/namespace"

func attrValue(e xml.StartElement, space, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && (a.Name.Space == space || space == xmlNS && a.Name.Space == "xml") {
			return a.Value
		}
	}
	return ""
}

// normaliseNewlines turns CR LF and lone CR into LF, as an XML parser does with literal line breaks,
// so that texts compare the same whichever way they crossed XML.
func normaliseNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// sameLanguage compares BCP 47 tags by their primary language subtag, in any case ("uk-UA" is uk).
func sameLanguage(tag, lang string) bool {
	primary, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	return strings.EqualFold(primary, lang)
}
