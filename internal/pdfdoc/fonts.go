package pdfdoc

import (
	"github.com/go-fonts/dejavu/dejavusans"
	"github.com/go-fonts/dejavu/dejavusansbold"
	"github.com/go-fonts/dejavu/dejavusansoblique"
)

// The fonts of every document and picture the server draws: DejaVu Sans (free, Bitstream Vera
// licence), compiled into the binary from github.com/go-fonts/dejavu, so nothing is read from disk and
// the output does not depend on what a machine has installed. It covers the platform's five languages
// to the letter: Polish (ąćęłńóśźż), Ukrainian Cyrillic (єіїґ), Spanish, and Vietnamese, whose Latin
// Extended Additional letters (ế, ệ, ơ, ư) and stacked accents the Go fonts drew as empty boxes.
var (
	RegularTTF = dejavusans.TTF
	BoldTTF    = dejavusansbold.TTF
	ItalicTTF  = dejavusansoblique.TTF
)
