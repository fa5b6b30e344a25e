package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"tradedash/templates"
)

// pages holds the parsed page templates and the static assets, each served
// under a URL that carries its content hash so it can be cached for a year.
type pages struct {
	byName map[string]*template.Template
	assets map[string]asset // by logical name, "app.js"
	byURL  map[string]asset // by hashed URL path
}

type asset struct {
	url  string
	body []byte
	ct   string
}

var pageNames = []string{"home", "bilateral", "partners", "products", "mirror", "compare", "error", "datasets", "upload", "import", "login"}

func loadPages() (*pages, error) {
	p := &pages{byName: map[string]*template.Template{}, assets: map[string]asset{}, byURL: map[string]asset{}}
	err := fs.WalkDir(templates.FS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		logical := strings.TrimPrefix(name, "static/")
		a := asset{url: "/static/" + hex.EncodeToString(sum[:6]) + "/" + logical, body: body, ct: mime.TypeByExtension(path.Ext(name))}
		if a.ct == "" {
			a.ct = "application/octet-stream"
		}
		p.assets[logical] = a
		p.byURL[a.url] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static assets: %w", err)
	}
	funcs := template.FuncMap{"asset": func(name string) (string, error) {
		a, ok := p.assets[name]
		if !ok {
			return "", fmt.Errorf("no static asset %q", name)
		}
		return a.url, nil
	}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, "layout.html", name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// render writes a page; it renders into a buffer first so that a template
// error becomes a clean 500 rather than half a page.
func (s *Server) render(c echo.Context, status int, name string, view any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", view); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

func (s *Server) handleStatic(c echo.Context) error {
	a, ok := s.pages.byURL[c.Request().URL.Path]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.ct, a.body)
}

// handleFavicon answers browsers that ask for /favicon.ico regardless of
// the page's <link rel="icon">.
func (s *Server) handleFavicon(c echo.Context) error {
	a := s.pages.assets["favicon.svg"]
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Blob(http.StatusOK, a.ct, a.body)
}
