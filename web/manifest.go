package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
)

// manifestPath is where Vite writes the build's manifest (build.manifest in vite.config.ts).
const manifestPath = ".vite/manifest.json"

// chunk is one entry of the manifest: a source module's output file and the chunks it imports, by
// their manifest keys.
type chunk struct {
	File           string   `json:"file"`
	Src            string   `json:"src"`
	IsEntry        bool     `json:"isEntry"`
	IsDynamicEntry bool     `json:"isDynamicEntry"`
	Imports        []string `json:"imports"`
	DynamicImports []string `json:"dynamicImports"`
	CSS            []string `json:"css"`
}

// manifest maps source modules (src/ballot/Ballot.tsx, src/i18n/pl.json, index.html for the entry)
// and shared chunks (_name-hash.js) to their chunks.
type manifest map[string]chunk

func readManifest(files fs.FS) (manifest, error) {
	b, err := fs.ReadFile(files, manifestPath)
	if err != nil {
		return nil, fmt.Errorf("the build has no manifest (vite build.manifest): %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	return m, nil
}

// entry is the manifest key of the app's entry chunk.
func (m manifest) entry() (string, error) {
	for k, c := range m {
		if c.IsEntry {
			return k, nil
		}
	}
	return "", fmt.Errorf("%s names no entry chunk", manifestPath)
}

// closure is the files of the chunks keys and everything they import statically, transitively,
// each once, in a stable order (the chunks first, then their imports).
func (m manifest) closure(keys ...string) []string {
	var files []string
	seen := map[string]bool{}
	queue := slices.Clone(keys)
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		c, ok := m[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		files = append(files, c.File)
		queue = append(queue, c.Imports...)
	}
	return files
}

// InitialScripts are the scripts a browser must fetch before the app starts on any page: the entry
// chunk and every chunk it imports statically, transitively (paths in files, e.g. assets/index-….js).
func InitialScripts(files fs.FS) ([]string, error) {
	m, err := readManifest(files)
	if err != nil {
		return nil, err
	}
	e, err := m.entry()
	if err != nil {
		return nil, err
	}
	return m.closure(e), nil
}

// Size is how many bytes some files are as built, and as sent brotli- or gzip-coded (a file too
// small to have a compressed copy counts as it is).
type Size struct{ Raw, Brotli, Gzip int64 }

// SizeOf adds up the sizes of names in files.
func SizeOf(files fs.FS, names []string) (Size, error) {
	var s Size
	for _, n := range names {
		raw, err := fs.Stat(files, n)
		if err != nil {
			return s, err
		}
		s.Raw += raw.Size()
		for _, e := range encodings {
			size := raw.Size()
			if st, err := fs.Stat(files, n+e.ext); err == nil {
				size = st.Size()
			}
			if e.token == "br" {
				s.Brotli += size
			} else {
				s.Gzip += size
			}
		}
	}
	return s, nil
}
