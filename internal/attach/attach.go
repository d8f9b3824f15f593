// Package attach stores the files experts attach to their reports (PDFs of city strategies, photos,
// office documents) in a bucket through gocloud.dev/blob: a directory on the server's disk
// (fileblob, the default) or an S3-compatible object store.
//
// Three rules make it safe to hand a stored file to a juror's browser or office suite:
//   - A file's type is decided from its bytes (Sniff), never from its name or the type a client
//     claims, and only a few document and image types are taken; text, HTML and SVG, executables
//     and other archives are refused, because a browser or a desktop may run them.
//   - Objects are content-addressed (key sha256/<hex>), so the same file uploaded twice is stored
//     once, and a key says which bytes it must hold.
//   - Reading checks those bytes as it goes: a reader whose content no longer hashes to its key
//     fails at the end instead of handing back a tampered or damaged file as if it were the one
//     uploaded.
//
// File names are not stored: they belong with the report that refers to the file, not with the bytes.
package attach

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/url"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	"gocloud.dev/blob/s3blob"
	"gocloud.dev/gcerrors"
)

// MaxSize is the largest attachment Put takes, in bytes (25 MiB): a long strategy PDF with
// photographs fits, and a server holding a whole file in memory while it sniffs and hashes it stays
// small.
const MaxSize = 25 << 20

// ContentDisposition is what every object is stored with, so that a bucket served directly (an S3
// link, a proxy) makes browsers download the file rather than show it inline in the platform's
// origin.
const ContentDisposition = "attachment"

// The store's errors besides ErrType and ErrEmpty (see Sniff). Each is wrapped with %w, so callers
// match them with errors.Is.
var (
	// ErrTooLarge is Put's refusal of a file larger than MaxSize.
	ErrTooLarge = errors.New("attach: the file is too large")
	// ErrNotFound says no object has this digest; it comes from the bucket's NotFound code.
	ErrNotFound = errors.New("attach: no such attachment")
	// ErrDigest is the refusal of a key that is not a SHA-256 digest in hex, so that nothing but a
	// digest ever reaches the bucket as a key.
	ErrDigest = errors.New("attach: not a SHA-256 digest in hex")
	// ErrCorrupt says a stored object's bytes do not hash to its key (or it is larger than any
	// attachment): the bucket's copy was altered or damaged, and it must not be served.
	ErrCorrupt = errors.New("attach: stored attachment is corrupt")
)

// Store is a bucket of attachments. It is safe for concurrent use, as the *blob.Bucket it wraps is.
type Store struct {
	bucket *blob.Bucket
}

// Object is a stored attachment as Put reports it: what a report records to refer to the file.
type Object struct {
	// SHA256 is the digest of the content, which is also its key.
	SHA256    [32]byte
	Size      int64     // in bytes
	MediaType MediaType // as Sniff found it
}

// Hex returns the digest in lower-case hex: the argument Store.Open and Store.Delete take.
func (o Object) Hex() string { return hex.EncodeToString(o.SHA256[:]) }

// Attributes are what Store.Open knows of an object before its content is read.
type Attributes struct {
	SHA256    [32]byte  // the digest asked for, which the content is checked against
	Size      int64     // in bytes, as the bucket says (the digest check catches a wrong one)
	MediaType MediaType // from the stored content type, checked against the first bytes
	// ModTime is when the object was last written, as the bucket says; a repeated Put of the same
	// content does not change it.
	ModTime time.Time
}

// Open opens the bucket a URL names. Two schemes are taken:
//
//   - file:///abs/dir — a directory on this machine (gocloud.dev/blob/fileblob). The directory is
//     created if missing, and files are written next to their final names before being renamed
//     into place, so a write is atomic even when os.TempDir is on another file system. fileblob's
//     own query parameters (dir_file_mode, ...) are passed on, except metadata=skip, which is
//     refused: the content type lives in fileblob's .attrs sidecar files.
//   - s3://bucket?endpoint=...&region=...&use_path_style=true&disable_https=true — an S3 or
//     S3-compatible store (gocloud.dev/blob/s3blob, AWS SDK v2). The SDK takes credentials from its
//     usual places (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, shared files); this package reads
//     none of them. The bucket must exist.
//
// Open checks that the bucket can be listed, so that a wrong URL or missing credentials fail when
// the server starts rather than at the first upload.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error repeats the URL; it holds no secrets (credentials never go in it).
		return nil, fmt.Errorf("attach: bucket URL: %w", err)
	}
	where := u.Scheme + "://" + u.Host + u.Path // for messages: without the query
	var b *blob.Bucket
	switch u.Scheme {
	case fileblob.Scheme:
		if _, ok := u.Query()["metadata"]; ok {
			return nil, fmt.Errorf("attach: bucket %s: the metadata parameter is not supported: attachments need their content type stored", where)
		}
		opener := &fileblob.URLOpener{Options: fileblob.Options{CreateDir: true, NoTempDir: true, DirFileMode: 0o750}}
		b, err = opener.OpenBucketURL(ctx, u)
	case s3blob.Scheme:
		// A new opener each time: s3blob's URLOpener keeps what one URL's ssetype and kmskeyid set
		// in its Options, so a shared one would carry them to the next URL.
		b, err = (&s3blob.URLOpener{}).OpenBucketURL(ctx, u)
	default:
		return nil, fmt.Errorf("attach: bucket %s: unsupported scheme %q (want file or s3)", where, u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("attach: open bucket %s: %w", where, err)
	}
	ok, err := b.IsAccessible(ctx)
	if err == nil && !ok {
		err = errors.New("it does not exist")
	}
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("attach: bucket %s is not accessible: %w", where, err)
	}
	return &Store{bucket: b}, nil
}

// Close releases the bucket. The Store must not be used after.
func (s *Store) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("attach: close bucket: %w", err)
	}
	return nil
}

func key(sum [32]byte) string { return "sha256/" + hex.EncodeToString(sum[:]) }

// parseDigest turns a caller's hex digest into the digest, accepting upper case but keying the
// bucket by lower case only, so that one file never has two keys.
func parseDigest(s string) ([32]byte, error) {
	var sum [32]byte
	if len(s) != 2*len(sum) {
		return sum, fmt.Errorf("%w: %q", ErrDigest, s)
	}
	if _, err := hex.Decode(sum[:], []byte(s)); err != nil {
		return sum, fmt.Errorf("%w: %q", ErrDigest, s)
	}
	return sum, nil
}

// Put stores content under its SHA-256 digest, after Sniff has taken it, and reports what it
// stored. It refuses an empty file (ErrEmpty), one larger than MaxSize (ErrTooLarge) and one of a
// type not allowed (ErrType). Putting the same content again stores nothing new and returns the
// same Object, so a retried upload is harmless. An object already stored under the digest whose
// size or content type is wrong (altered in the bucket) is written again, which repairs it.
func (s *Store) Put(ctx context.Context, content []byte) (Object, error) {
	if len(content) == 0 {
		return Object{}, ErrEmpty
	}
	if len(content) > MaxSize {
		return Object{}, fmt.Errorf("%w: %d bytes, at most %d are taken", ErrTooLarge, len(content), MaxSize)
	}
	mt, err := Sniff(content)
	if err != nil {
		return Object{}, err
	}
	obj := Object{SHA256: sha256.Sum256(content), Size: int64(len(content)), MediaType: mt}
	k := key(obj.SHA256)

	overwrite := false
	switch a, err := s.bucket.Attributes(ctx, k); {
	case err == nil && a.Size == obj.Size && a.ContentType == mt.MIME:
		return obj, nil
	case err == nil:
		slog.WarnContext(ctx, "attach: stored attachment has the wrong size or type; writing it again",
			"key", k, "size", a.Size, "want_size", obj.Size, "content_type", a.ContentType, "want_content_type", mt.MIME)
		overwrite = true
	case gcerrors.Code(err) != gcerrors.NotFound:
		return Object{}, fmt.Errorf("attach: look up %s: %w", k, err)
	}

	opts := &blob.WriterOptions{
		ContentType:        mt.MIME,
		ContentDisposition: ContentDisposition,
		// When two uploads of one file race, the second finds the first's object and stops,
		// rather than rewriting it under a reader.
		IfNotExist: !overwrite,
	}
	if err := s.bucket.WriteAll(ctx, k, content, opts); err != nil {
		if gcerrors.Code(err) == gcerrors.FailedPrecondition {
			return obj, nil // another Put of the same content got there first
		}
		return Object{}, fmt.Errorf("attach: write %s: %w", k, err)
	}
	slog.DebugContext(ctx, "attach: stored attachment", "key", k, "size", obj.Size, "content_type", mt.MIME)
	return obj, nil
}

// Open returns a reader of the attachment with the hex digest sha256hex, and its attributes. The
// reader hashes what it reads and, at the end, returns an error wrapping ErrCorrupt instead of
// io.EOF if the content does not match the digest; a caller streaming it out must treat that error
// as a failed transfer (abort the response), not as the end of the file. The caller closes the
// reader. A digest with no object gives ErrNotFound.
//
// The media type comes from the content type stored with the object, checked against the
// content's first bytes; when that check fails (the stored type was lost or altered), Open reads the
// whole object, verifies it and sniffs it again before returning it, so a wrong stored type is never
// passed on.
func (s *Store) Open(ctx context.Context, sha256hex string) (io.ReadCloser, Attributes, error) {
	sum, err := parseDigest(sha256hex)
	if err != nil {
		return nil, Attributes{}, err
	}
	k := key(sum)
	r, err := s.bucket.NewReader(ctx, k, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, Attributes{}, fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
		}
		return nil, Attributes{}, fmt.Errorf("attach: read %s: %w", k, err)
	}
	attrs := Attributes{SHA256: sum, Size: r.Size(), ModTime: r.ModTime()}
	if attrs.Size > MaxSize {
		_ = r.Close()
		slog.ErrorContext(ctx, "attach: stored attachment is larger than any Put takes", "key", k, "size", attrs.Size)
		return nil, Attributes{}, fmt.Errorf("%w: %s holds %d bytes", ErrCorrupt, k, attrs.Size)
	}
	vr := &verifyingReader{ctx: ctx, key: k, want: sum, r: bufio.NewReader(r), c: r, h: sha256.New()}
	head, _ := vr.r.Peek(16) // a short or failing read shows again on Read
	mt, ok := mediaTypes[r.ContentType()]
	if ok && magicOf(head) == mt.magic {
		attrs.MediaType = mt
		return vr, attrs, nil
	}

	slog.WarnContext(ctx, "attach: stored content type does not match the content; checking the whole object",
		"key", k, "content_type", r.ContentType())
	defer vr.Close()
	content, err := io.ReadAll(vr)
	if err != nil {
		return nil, Attributes{}, err
	}
	if attrs.MediaType, err = Sniff(content); err != nil {
		// The bytes are the ones uploaded, but no longer pass Sniff (its rules were tightened since).
		return nil, Attributes{}, fmt.Errorf("attach: %s: %w", k, err)
	}
	attrs.Size = int64(len(content))
	return io.NopCloser(bytes.NewReader(content)), attrs, nil
}

// Delete removes the attachment with the hex digest sha256hex, for when no report refers to it any
// more and the retention period is over. A digest with no object gives ErrNotFound. Because objects
// are shared by content, the caller must make sure nothing else refers to the same digest.
func (s *Store) Delete(ctx context.Context, sha256hex string) error {
	sum, err := parseDigest(sha256hex)
	if err != nil {
		return err
	}
	k := key(sum)
	if err := s.bucket.Delete(ctx, k); err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return fmt.Errorf("%w: %s", ErrNotFound, sha256hex)
		}
		return fmt.Errorf("attach: delete %s: %w", k, err)
	}
	return nil
}

// verifyingReader hashes an object as it is read and turns the end of the object into ErrCorrupt
// when the hash is not the key's. It also stops an object that grows past MaxSize, so a tampered
// bucket cannot make a caller read without end.
type verifyingReader struct {
	ctx  context.Context
	key  string
	want [32]byte
	r    *bufio.Reader
	c    io.Closer
	h    hash.Hash
	n    int64
	err  error // sticky: once the end or a failure is seen, every Read returns it
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > MaxSize {
		v.err = fmt.Errorf("%w: %s holds more than %d bytes", ErrCorrupt, v.key, MaxSize)
		return n, v.err
	}
	switch {
	case errors.Is(err, io.EOF):
		var got [32]byte
		v.h.Sum(got[:0])
		if got != v.want {
			slog.ErrorContext(v.ctx, "attach: stored attachment does not match its digest", "key", v.key, "size", v.n, "sha256", hex.EncodeToString(got[:]))
			v.err = fmt.Errorf("%w: %s hashes to %x", ErrCorrupt, v.key, got)
		} else {
			v.err = io.EOF
		}
	case err != nil:
		v.err = fmt.Errorf("attach: read %s: %w", v.key, err)
	}
	return n, v.err
}

func (v *verifyingReader) Close() error {
	if err := v.c.Close(); err != nil {
		return fmt.Errorf("attach: close %s: %w", v.key, err)
	}
	return nil
}
