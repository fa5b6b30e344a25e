package server

import (
	"bytes"
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"
)

// Cached answers. The data changes only on an import, a delete or a
// dataset's changes, so the read-only routes (routes.go marks them with
// s.cached) keep their rendered 200 answers in memory, keyed by the
// request's path and canonical query, for one data version
// (data.Store.DataVersion, kept by triggers in every writing transaction,
// so a CLI import into the same file counts too). Each request reads the
// version first: one row, a few µs. An answer is therefore at least as new
// as the version it is filed under, and a write empties the cache on the
// next request that sees its version. Requests for a URL that another is
// rendering wait for that one (a burst after a write renders each page
// once). The same version, with a per-process
// build id, is the answer's ETag; a client that holds it gets a 304.
//
// Never cached: requests with credentials (a session cookie or an
// Authorization header: a signed-in admin's pages carry their CSRF token
// and admin controls, and on a private server every read has them), any
// status but 200, answers that set a cookie or an ETag of their own, and
// answers larger than maxCachedAnswer.
const (
	defaultCacheBytes = 64 << 20 // all answers together (Config.ResponseCacheBytes)
	maxCachedAnswer   = 4 << 20  // one answer
	// cacheControl lets browsers keep an answer but ask each time whether
	// it still holds: the ETag then saves the body.
	cacheControl = "no-cache"
)

// cachedAnswer is one rendered answer.
type cachedAnswer struct {
	key    string
	status int
	header http.Header
	body   []byte
}

func (a *cachedAnswer) size() int { return len(a.key) + len(a.body) + 512 }

// responseCache is a least-recently-used set of answers of one data
// version, at most maxBytes in all.
type responseCache struct {
	build    string // random per process: a new binary's pages get new ETags
	maxBytes int
	maxEntry int

	mu      sync.Mutex
	version int64
	bytes   int
	lru     *list.List // of *cachedAnswer, most recently used first
	byKey   map[string]*list.Element
	// filling holds the answers being rendered for the current version,
	// so that requests for one URL arriving together (after a write, say)
	// wait for one rendering instead of each doing the work.
	filling map[string]*fill
}

// fill is one answer being rendered; done is closed when it is, with
// answer nil if it could not be cached.
type fill struct {
	done   chan struct{}
	answer *cachedAnswer
}

func newResponseCache(maxBytes, maxEntry int) *responseCache {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &responseCache{build: hex.EncodeToString(b[:]), maxBytes: maxBytes, maxEntry: maxEntry,
		lru: list.New(), byKey: make(map[string]*list.Element), filling: make(map[string]*fill)}
}

// etag names every answer of one data version from this process.
func (rc *responseCache) etag(version int64) string {
	return `"` + rc.build + "-" + strconv.FormatInt(version, 10) + `"`
}

// atVersion empties the cache when version is newer than its answers and
// reports whether version is the cache's (false: an older version, seen
// by a request that began before a write).
func (rc *responseCache) atVersion(version int64) bool {
	if version > rc.version {
		rc.version, rc.bytes = version, 0
		rc.lru.Init()
		clear(rc.byKey)
		clear(rc.filling)
	}
	return version == rc.version
}

func (rc *responseCache) get(version int64, key string) *cachedAnswer {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.atVersion(version) {
		return nil
	}
	el, ok := rc.byKey[key]
	if !ok {
		return nil
	}
	rc.lru.MoveToFront(el)
	return el.Value.(*cachedAnswer)
}

// lookup returns the cached answer; or else the fill of a request already
// rendering it, to wait on; or else (both nil) done, which the caller,
// now rendering it, must call with the answer, or nil if it cannot be
// cached, when it is done.
func (rc *responseCache) lookup(version int64, key string) (a *cachedAnswer, wait *fill, done func(*cachedAnswer)) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.atVersion(version) {
		return nil, nil, func(*cachedAnswer) {}
	}
	if el, ok := rc.byKey[key]; ok {
		rc.lru.MoveToFront(el)
		return el.Value.(*cachedAnswer), nil, nil
	}
	if f := rc.filling[key]; f != nil {
		return nil, f, nil
	}
	f := &fill{done: make(chan struct{})}
	rc.filling[key] = f
	return nil, nil, func(a *cachedAnswer) {
		rc.mu.Lock()
		if rc.filling[key] == f {
			delete(rc.filling, key)
		}
		rc.mu.Unlock()
		if a != nil {
			rc.put(version, a)
		}
		f.answer = a
		close(f.done)
	}
}

func (rc *responseCache) put(version int64, a *cachedAnswer) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.atVersion(version) || a.size() > rc.maxEntry {
		return
	}
	if el, ok := rc.byKey[a.key]; ok {
		rc.bytes -= el.Value.(*cachedAnswer).size()
		rc.lru.Remove(el)
	}
	for rc.bytes+a.size() > rc.maxBytes && rc.lru.Len() > 0 {
		old := rc.lru.Remove(rc.lru.Back()).(*cachedAnswer)
		delete(rc.byKey, old.key)
		rc.bytes -= old.size()
	}
	rc.byKey[a.key] = rc.lru.PushFront(a)
	rc.bytes += a.size()
}

// cacheKey is the path and the query in canonical form: parameters sorted
// by name, a repeated parameter's values kept in their order (it can
// matter: product=30&product=10 lists 30 first).
func cacheKey(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// hasCredentials reports whether a request may be a signed-in admin's.
func hasCredentials(req *http.Request) bool {
	if req.Header.Get(echo.HeaderAuthorization) != "" {
		return true
	}
	c, err := req.Cookie(sessionCookie)
	return err == nil && c.Value != ""
}

// cached serves a read-only route's answer from the cache, or has the
// handler render it and keeps it (see the comment at the top).
func (s *Server) cached(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if s.cache == nil {
			return next(c)
		}
		if req.Method != http.MethodGet || hasCredentials(req) {
			s.metrics.cache.WithLabelValues("bypass").Inc()
			return next(c)
		}
		ctx, cancel := s.queryContext(c)
		version, err := s.store.DataVersion(ctx)
		cancel()
		if err != nil {
			return err
		}
		etag := s.cache.etag(version)
		h := c.Response().Header()
		h.Add(echo.HeaderVary, "Cookie, Authorization")
		if etagMatches(req.Header.Get("If-None-Match"), etag) {
			s.metrics.cache.WithLabelValues("not_modified").Inc()
			h.Set("ETag", etag)
			h.Set("Cache-Control", cacheControl)
			return c.NoContent(http.StatusNotModified)
		}
		key := cacheKey(req.URL)
		a, wait, done := s.cache.lookup(version, key)
		if wait != nil { // another request is rendering it: wait for that
			select {
			case <-wait.done:
				a = wait.answer
			case <-req.Context().Done():
				return req.Context().Err()
			}
			if a == nil { // it could not be cached: render it here
				done = func(*cachedAnswer) {}
			}
		}
		if a != nil {
			s.metrics.cache.WithLabelValues("hit").Inc()
			for k, v := range a.header {
				h[k] = v
			}
			c.Response().WriteHeader(a.status)
			_, err := c.Response().Write(a.body)
			return err
		}
		s.metrics.cache.WithLabelValues("miss").Inc()
		var answer *cachedAnswer
		released := false
		defer func() { // also on a panic: the waiters render it themselves
			if !released {
				done(answer)
			}
		}()
		w := c.Response().Writer
		rec := &answerRecorder{ResponseWriter: w, etag: etag, limit: s.cache.maxEntry}
		c.Response().Writer = rec
		err = next(c)
		c.Response().Writer = w
		if rec.buffering() {
			if err == nil {
				answer = &cachedAnswer{key: key, status: rec.status, header: h.Clone(), body: rec.body.Bytes()}
			}
			// The waiters get the answer before this client is sent it,
			// so that a client that reads slowly delays only itself.
			done(answer)
			released = true
			if werr := rec.flush(); err == nil {
				err = werr
			}
		}
		return err
	}
}

// answerRecorder keeps an answer that may be cached (a 200 without a
// cookie or an ETag of its own, up to limit bytes) in memory until the
// handler is done, and passes any other answer through to the client as
// it is written. A kept answer gets the version's ETag.
type answerRecorder struct {
	http.ResponseWriter
	etag    string
	limit   int
	status  int
	keep    bool // a 200 that may be cached
	over    bool // longer than limit: not cached, passed through
	flushed bool // the kept answer has been written to the client
	body    bytes.Buffer
}

// buffering reports whether the recorder holds an answer not yet sent.
func (r *answerRecorder) buffering() bool { return r.keep && !r.over && !r.flushed }

// flush sends a held answer to the client.
func (r *answerRecorder) flush() error {
	r.flushed = true
	r.ResponseWriter.WriteHeader(r.status)
	_, err := r.ResponseWriter.Write(r.body.Bytes())
	return err
}

func (r *answerRecorder) WriteHeader(code int) {
	r.status = code
	h := r.Header()
	r.keep = code == http.StatusOK && len(h.Values("Set-Cookie")) == 0 && h.Get("ETag") == ""
	if r.keep {
		h.Set("ETag", r.etag)
		h.Set("Cache-Control", cacheControl)
		return // sent by flush, or by Write once over the limit
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *answerRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.buffering() {
		return r.ResponseWriter.Write(b)
	}
	if r.body.Len()+len(b) <= r.limit {
		return r.body.Write(b)
	}
	// Too long to cache: send what is held, then pass the rest through.
	r.over = true
	r.ResponseWriter.WriteHeader(r.status)
	if _, err := r.ResponseWriter.Write(r.body.Bytes()); err != nil {
		return 0, err
	}
	r.body = bytes.Buffer{}
	return r.ResponseWriter.Write(b)
}

// Flush passes a flush on, for handlers that stream; a held answer is
// sent whole when the handler is done.
func (r *answerRecorder) Flush() {
	if r.buffering() {
		return
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (r *answerRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
