package auditlog

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"github.com/miasta-otwarte/miasta/internal/accept"
	"github.com/miasta-otwarte/miasta/internal/auditlog/auditlogdb"
	"github.com/miasta-otwarte/miasta/internal/fault"
)

// Bundles serves the editions' bundles to the public from files: a bundle is the same bytes for as
// long as the log's checkpoint stays the same, so it is built once per checkpoint (one build at a
// time in the process, callers asking for the same one waiting for it), written with its gzip
// compression beside it, and then read from disk by every download, in constant memory. Anyone may
// download without signing in; a thousand downloads cost one build.
type Bundles struct {
	log *Log
	d   Disclosures
	dir string

	integrations singleflight.Group
	builds       singleflight.Group
	building     chan struct{} // one build at a time: a build holds an edition's casts in memory
	// rate bounds the bytes per second of every download together (nil: no bound), so that hundreds
	// of downloads at once share a bounded part of the processors and signed-in calls keep the rest.
	// Its reservations are served in turn: every download moves on at the same pace.
	rate *rate.Limiter
	// downloads bounds the downloads under way: beyond it a download is refused (retry later), so
	// that stalled clients cannot hold every file and connection of the server.
	downloads chan struct{}

	mu     sync.Mutex
	newest map[uuid.UUID]*Bundle // per edition, the newest bundle built or found
}

// Bundle is one built bundle: an edition's bundle under one checkpoint.
type Bundle struct {
	EditionID uuid.UUID
	Year      int32
	TreeSize  int64
	Size      int64  // bytes of the bundle
	SHA256    string // hex, of the bundle's bytes
	Built     time.Time
	path      string
}

// ETag is the bundle's entity tag (of its bytes; the gzip-coded form adds "-gzip").
func (b *Bundle) ETag() string { return `"` + b.SHA256[:32] + `"` }

// open opens the bundle's file, or with gzip its gzip-compressed copy.
func (b *Bundle) open(gzipped bool) (*os.File, error) {
	if gzipped {
		return os.Open(b.path + ".gz")
	}
	return os.Open(b.path)
}

// NewBundles returns the bundle cache over the log, keeping its files in dir (made if missing).
// Several servers may share dir: a file's name names its edition and checkpoint, and files are
// written under temporary names and renamed into place.
// bytesPerSecond bounds what downloads send together (0: no bound).
func NewBundles(l *Log, d Disclosures, dir string, bytesPerSecond float64) (*Bundles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bundle directory: %w", err)
	}
	b := &Bundles{log: l, d: d, dir: dir, building: make(chan struct{}, 1), downloads: make(chan struct{}, MaxDownloads), newest: map[uuid.UUID]*Bundle{}}
	b.removeStale()
	if bytesPerSecond > 0 {
		b.rate = rate.NewLimiter(rate.Limit(bytesPerSecond), sendChunk)
	}
	return b, nil
}

// sendChunk is how much a download sends at a time.
const sendChunk = 32 << 10

// Copy sends the file to w in chunks of sendChunk, read under the downloads' rate, within
// DownloadTimeout.
func (b *Bundles) Copy(ctx context.Context, w func([]byte) error, f *os.File) error {
	ctx, cancel := context.WithTimeout(ctx, DownloadTimeout)
	defer cancel()
	src := &paced{ctx: ctx, b: b, f: f}
	buf := make([]byte, sendChunk)
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			if werr := w(buf[:n]); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// MaxDownloads is how many downloads a server sends at once.
const MaxDownloads = 1024

// errBusy answers a download beyond MaxDownloads; a new error each time, as the access log sets the
// call's request id in its metadata.
func errBusy() error {
	return connect.NewError(connect.CodeUnavailable, errors.New("too many bundle downloads at once; retry in a minute"))
}

// Download runs send as one of the downloads under way, or refuses it (Unavailable) when MaxDownloads
// are.
func (b *Bundles) Download(send func() error) error {
	select {
	case b.downloads <- struct{}{}:
	default:
		return errBusy()
	}
	defer func() { <-b.downloads }()
	return send()
}

// DownloadTimeout bounds a download (instead of the calls' deadline, which a large bundle sent at a
// shared rate to a slow connection can outlast): a client that stops reading lets go of it then.
const DownloadTimeout = 15 * time.Minute

// bundleName names the files of the edition's bundle under cp: the edition, the tree size and the
// signed note's hash (two logs never share a signed checkpoint).
func bundleName(editionID uuid.UUID, cp auditlogdb.Checkpoint) string {
	noteHash := sha256.Sum256([]byte(cp.Note))
	return fmt.Sprintf("%s-%d-%x", editionID, cp.TreeSize, noteHash[:8])
}

// find returns a bundle another server (or an earlier run) built into the directory.
func (b *Bundles) find(editionID uuid.UUID, year int32, size int64, name string) (*Bundle, error) {
	path := filepath.Join(b.dir, name+".json")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	sum, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path + ".gz"); err != nil {
		return nil, err
	}
	return &Bundle{EditionID: editionID, Year: year, TreeSize: size, Size: fi.Size(), SHA256: strings.TrimSpace(string(sum)), Built: fi.ModTime(), path: path}, nil
}

// build writes the bundle under cp, as export writes it, into the directory: the bundle, its gzip copy
// and its hash, each renamed into place once complete (the hash last: a bundle is there when its hash
// is).
func (b *Bundles) build(ctx context.Context, editionID uuid.UUID, year int32, cp auditlogdb.Checkpoint, name string, export func(io.Writer) error) (*Bundle, error) {
	start := time.Now()
	path := filepath.Join(b.dir, name+".json")
	raw, err := os.CreateTemp(b.dir, name+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(raw.Name())
	defer raw.Close()
	gz, err := os.CreateTemp(b.dir, name+".*.gz.tmp")
	if err != nil {
		return nil, err
	}
	defer os.Remove(gz.Name())
	defer gz.Close()
	zw, err := gzip.NewWriterLevel(gz, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	counter := &countingWriter{}
	bw := bufio.NewWriterSize(io.MultiWriter(raw, zw, h, counter), 256<<10)
	if err := export(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	for _, f := range []*os.File{raw, gz} {
		if err := f.Sync(); err != nil {
			return nil, err
		}
		if err := f.Chmod(0o644); err != nil {
			return nil, err
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(gz.Name(), path+".gz"); err != nil {
		return nil, err
	}
	if err := os.Rename(raw.Name(), path); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path+".sha256", []byte(sum+"\n")); err != nil {
		return nil, err
	}
	b.log.log.InfoContext(ctx, "audit log: bundle built", "year", year, "tree_size", cp.TreeSize, "bytes", counter.n, "took", time.Since(start).Round(time.Millisecond))
	b.prune(editionID, cp.TreeSize)
	return &Bundle{EditionID: editionID, Year: year, TreeSize: cp.TreeSize, Size: counter.n, SHA256: sum, Built: time.Now(), path: path}, nil
}

// prune removes the edition's bundles of smaller trees than the one kept (a download still reading
// one keeps its open file; a bundle of a larger tree, built by another server sharing the directory,
// stays), and temporary files a crash left behind.
func (b *Bundles) prune(editionID uuid.UUID, keep int64) {
	files, _ := filepath.Glob(filepath.Join(b.dir, editionID.String()+"-*"))
	for _, f := range files {
		base := filepath.Base(f)
		if strings.HasSuffix(base, ".tmp") {
			continue // another build's, or removeStale's once old
		}
		size, ok := treeSizeOf(base)
		if ok && size < keep {
			_ = os.Remove(f)
		}
	}
	b.removeStale()
}

// treeSizeOf reads the tree size from a bundle file's name, <edition id>-<size>-<note hash>.json….
func treeSizeOf(name string) (int64, bool) {
	if len(name) < 38 || name[36] != '-' {
		return 0, false
	}
	rest := name[37:]
	i := strings.IndexByte(rest, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(rest[:i], 10, 64)
	return n, err == nil
}

// removeStale removes temporary files older than any build can take: left by a server that crashed
// while building.
func (b *Bundles) removeStale() {
	files, _ := filepath.Glob(filepath.Join(b.dir, "*.tmp"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && time.Since(fi.ModTime()) > buildTimeout+time.Minute {
			_ = os.Remove(f)
		}
	}
}

// buildTimeout bounds a build.
const buildTimeout = 10 * time.Minute

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// ServeHTTP serves GET /audit/{year}/bundle.json: the edition's bundle under the newest checkpoint,
// gzip-coded for clients that accept it, with an ETag (a client holding the same bundle gets 304)
// and byte ranges (a broken download resumes).
func (b *Bundles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.ParseInt(r.PathValue("year"), 10, 32)
	if err != nil || year < 2014 || year > 2100 {
		http.Error(w, "year: give an edition's year, 2014 to 2100", http.StatusBadRequest)
		return
	}
	gzipped := r.Header.Get("Range") == "" && accept.Encoding(r.Header.Get("Accept-Encoding"), "gzip")
	bundle, f, err := b.Open(r.Context(), int32(year), gzipped)
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		if f, ok := fault.As(err); ok {
			code := http.StatusBadRequest
			switch f.Kind {
			case fault.NotFound:
				code = http.StatusNotFound
			case fault.FailedPrecondition:
				code = http.StatusConflict
			}
			http.Error(w, f.Message, code)
			return
		}
		b.log.log.ErrorContext(r.Context(), "audit log: bundle download", "year", year, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="miasta-%d-bundle.json"`, year))
	h.Set("Cache-Control", "no-cache") // the newest checkpoint moves on: revalidate (the ETag makes that cheap)
	h.Set("Vary", "Accept-Encoding")
	h.Set("X-Miasta-Tree-Size", strconv.FormatInt(bundle.TreeSize, 10))
	h.Set("X-Miasta-Bundle-SHA256", bundle.SHA256)
	etag := bundle.ETag()
	if gzipped {
		h.Set("Content-Encoding", "gzip")
		etag = strings.TrimSuffix(etag, `"`) + `-gzip"`
	}
	h.Set("ETag", etag)
	ctx, cancel := context.WithTimeout(r.Context(), DownloadTimeout)
	defer cancel()
	// A client that stops reading lets go of the connection at the timeout: a blocked write does not
	// see the context.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(DownloadTimeout))
	if err := b.Download(func() error {
		http.ServeContent(w, r, "", bundle.Built, &paced{ctx: ctx, b: b, f: f})
		return nil
	}); err != nil {
		h.Del("ETag")
		h.Del("Content-Encoding")
		h.Del("Content-Disposition")
		h.Set("Retry-After", "60")
		http.Error(w, "too many bundle downloads at once; retry in a minute", http.StatusServiceUnavailable)
	}
}

// downloadStopped is the error of a download the rate's wait stopped: the caller gone, or the
// download past DownloadTimeout (or about to be).
func downloadStopped(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), context.Canceled) {
		return connect.NewError(connect.CodeCanceled, errors.New("download canceled"))
	}
	return connect.NewError(connect.CodeDeadlineExceeded, fmt.Errorf("the download would take longer than %s at the downloads' shared rate; retry later (%v)", DownloadTimeout, err))
}

// paced is a bundle file as http.ServeContent reads it (seeking for ranges), each read under the
// downloads' rate.
type paced struct {
	ctx context.Context
	b   *Bundles
	f   *os.File
}

func (p *paced) Seek(offset int64, whence int) (int64, error) { return p.f.Seek(offset, whence) }

func (p *paced) Read(buf []byte) (int, error) {
	if len(buf) > sendChunk {
		buf = buf[:sendChunk]
	}
	n, err := p.f.Read(buf)
	if n > 0 && p.b.rate != nil {
		if werr := p.b.rate.WaitN(p.ctx, n); werr != nil {
			return 0, downloadStopped(p.ctx, werr)
		}
	}
	return n, err
}
