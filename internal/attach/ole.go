package attach

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// ole tells a legacy Word, Excel or PowerPoint file from the other OLE compound files, which share
// its magic: Windows Installer packages (.msi, programs), Outlook messages, thumbnail caches. It
// reads the compound file's directory (MS-CFB) and looks for the stream each application keeps its
// document in.
func ole(content []byte) (MediaType, error) {
	names, err := cfbNames(content)
	if err != nil {
		return MediaType{}, refuse(fmt.Sprintf("a damaged OLE compound file (%v)", err))
	}
	has := map[string]bool{}
	for _, n := range names {
		// MS-CFB compares names case-insensitively.
		has[strings.ToLower(n)] = true
	}
	// Word keeps VBA under Macros, Excel under _VBA_PROJECT_CUR; both hold a VBA storage.
	if has["macros"] || has["_vba_project_cur"] || has["vba"] {
		return MediaType{}, refuse("a legacy Office document with macros")
	}
	switch {
	case has["worddocument"]:
		return DOC, nil
	case has["workbook"], has["book"]:
		return XLS, nil
	case has["powerpoint document"]:
		return PPT, nil
	}
	return MediaType{}, refuse("an OLE compound file that is not a Word, Excel or PowerPoint file (such as an installer or a mail message)")
}

// Special sector numbers of MS-CFB 2.1.
const (
	cfbMaxRegSect = 0xFFFFFFFA
	cfbEndOfChain = 0xFFFFFFFE
)

// cfbNames returns the names of the entries in a compound file's directory. Every loop is bounded by
// the number of sectors the content can hold, so a crafted file with a cyclic chain ends with an
// error instead of running forever.
func cfbNames(b []byte) ([]string, error) {
	le := binary.LittleEndian
	if len(b) < 512 {
		return nil, errors.New("shorter than its header")
	}
	if le.Uint16(b[28:]) != 0xFFFE {
		return nil, errors.New("bad byte order mark")
	}
	shift := le.Uint16(b[30:])
	if shift != 9 && shift != 12 {
		return nil, fmt.Errorf("sector shift %d", shift)
	}
	size := int64(1) << shift
	maxSectors := uint32(int64(len(b)) / size)
	sector := func(n uint32) ([]byte, error) {
		if n > cfbMaxRegSect {
			return nil, fmt.Errorf("chain points at special sector %#x", n)
		}
		off := (int64(n) + 1) * size
		if off+size > int64(len(b)) {
			return nil, fmt.Errorf("sector %d lies past the end", n)
		}
		return b[off : off+size], nil
	}

	numFAT := le.Uint32(b[44:])
	if numFAT == 0 || numFAT > maxSectors {
		return nil, fmt.Errorf("%d FAT sectors", numFAT)
	}
	var fat []uint32 // the FAT's sectors, from the header's DIFAT and then the DIFAT chain
	for i := 0; i < 109 && uint32(len(fat)) < numFAT; i++ {
		fat = append(fat, le.Uint32(b[76+4*i:]))
	}
	per := uint32(size / 4)
	for d, steps := le.Uint32(b[68:]), uint32(0); uint32(len(fat)) < numFAT; steps++ {
		if d == cfbEndOfChain || steps > maxSectors {
			return nil, errors.New("DIFAT chain ends before the FAT does")
		}
		sec, err := sector(d)
		if err != nil {
			return nil, err
		}
		for j := uint32(0); j < per-1 && uint32(len(fat)) < numFAT; j++ {
			fat = append(fat, le.Uint32(sec[4*j:]))
		}
		d = le.Uint32(sec[size-4:])
	}
	next := func(s uint32) (uint32, error) {
		if s/per >= uint32(len(fat)) {
			return 0, fmt.Errorf("sector %d is beyond the FAT", s)
		}
		sec, err := sector(fat[s/per])
		if err != nil {
			return 0, err
		}
		return le.Uint32(sec[4*(s%per):]), nil
	}

	var names []string
	s := le.Uint32(b[48:])
	for steps := uint32(0); s != cfbEndOfChain; steps++ {
		if steps > maxSectors {
			return nil, errors.New("directory chain loops")
		}
		sec, err := sector(s)
		if err != nil {
			return nil, err
		}
		for off := int64(0); off+128 <= size; off += 128 {
			e := sec[off : off+128]
			n := int(le.Uint16(e[64:]))
			if e[66] == 0 || n < 2 || n > 64 || n%2 != 0 { // unallocated, or no valid name
				continue
			}
			u := make([]uint16, n/2-1) // the length counts the terminating NUL
			for i := range u {
				u[i] = le.Uint16(e[2*i:])
			}
			names = append(names, string(utf16.Decode(u)))
		}
		if s, err = next(s); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		return nil, errors.New("empty directory")
	}
	return names, nil
}
