package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"tradedash/data"
	"tradedash/importers"
)

// The HTML pages for datasets: the list with its edit and delete forms,
// and the upload form with its preview and commit.

// csrf is the token an admin's forms carry: the session's, or none for a
// bearer token, which needs none.
func (a *admin) csrf() string {
	if a == nil || a.session == nil {
		return ""
	}
	return a.session.CSRF
}

type datasetsView struct {
	Admin    bool
	CSRF     string
	Notice   string
	Imported *datasetRow // the dataset just committed, with links to its views
	Confirm  *datasetRow // the dataset whose deletion is to be confirmed
	Datasets []datasetRow
}

type datasetRow struct {
	ID                                                       int64
	Name, Source, Licence, Description, Format, OriginalName string
	ImportedAt, ImportedBy, SHA256, ShortSHA, Covers         string
	OriginalURL                                              string
	Default                                                  bool
	Rows                                                     int64
	Reporters, Pairs                                         int
	Links                                                    []pairView
}

func (s *Server) newDatasetRow(d data.DatasetSummary) datasetRow {
	r := datasetRow{ID: d.ID, Name: d.Name, Source: d.Source, Licence: d.Licence, Description: d.Description, Format: d.Format,
		OriginalName: d.OriginalName, ImportedAt: d.ImportedAt.UTC().Format("2006-01-02 15:04 UTC"), ImportedBy: d.ImportedBy, Default: d.Default, SHA256: d.SHA256,
		ShortSHA: d.SHA256[:min(12, len(d.SHA256))], Covers: monthSpan(d.FirstMonth, d.LastMonth), Rows: d.RowCount,
		Reporters: d.Reporters, Pairs: d.Pairs}
	if s.uploads.hasOriginal(d.SHA256) {
		r.OriginalURL = fmt.Sprintf("/api/v1/datasets/%d/original", d.ID)
	}
	return r
}

// withLinks adds links to the bilateral views of a dataset's largest pairs.
func (s *Server) withLinks(ctx context.Context, r *datasetRow) error {
	pairs, err := s.store.Pairs(ctx, r.ID, homePairs)
	for _, p := range pairs {
		r.Links = append(r.Links, pairView{Label: countryName(s.ref, p.Reporter) + " – " + countryName(s.ref, p.Partner),
			URL: bilateralURL("/bilateral", p.Reporter, p.Partner, r.ID), Covers: monthSpan(p.FirstMonth, p.LastMonth), Observations: p.Observations})
	}
	return err
}

// handleDatasetsPage lists every dataset; a signed-in admin also gets the
// forms that change them.
func (s *Server) handleDatasetsPage(c echo.Context) error {
	ctx, cancel := s.queryContext(c)
	defer cancel()
	sets, err := s.store.Datasets(ctx)
	if err != nil {
		return err
	}
	var v datasetsView
	v.Admin, v.CSRF = s.viewer(c)
	for _, d := range sets {
		row := s.newDatasetRow(d)
		v.Datasets = append(v.Datasets, row)
		if strconv.FormatInt(d.ID, 10) == c.QueryParam("imported") {
			v.Imported = &row
		}
	}
	if v.Imported != nil {
		if err := s.withLinks(ctx, v.Imported); err != nil {
			return err
		}
	}
	if id, err := strconv.ParseInt(c.QueryParam("deleted"), 10, 64); err == nil {
		v.Notice = fmt.Sprintf("Dataset %d was deleted, with all of its figures.", id)
	}
	return s.render(c, http.StatusOK, "datasets", v)
}

// handleDeleteConfirm asks the admin to confirm a deletion, saying what
// it removes.
func (s *Server) handleDeleteConfirm(c echo.Context) error {
	return s.withSummary(c, func(_ context.Context, d data.DatasetSummary) error {
		row := s.newDatasetRow(d)
		return s.render(c, http.StatusOK, "datasets", datasetsView{Admin: true, CSRF: adminOf(c).csrf(), Confirm: &row})
	})
}

func (s *Server) handleDeleteForm(c echo.Context) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		if _, err := s.deleteDataset(ctx, id); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets?deleted=%d", id))
	})
}

// handleDefaultForm makes a dataset the default (default=1) or an
// ordinary one (default=0).
func (s *Server) handleDefaultForm(c echo.Context) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		on, err := strconv.ParseBool(c.FormValue("default"))
		if err != nil {
			return fmt.Errorf("%w: default must be 1 or 0, not %q", data.ErrInvalid, c.FormValue("default"))
		}
		if _, err := s.store.UpdateDataset(ctx, id, data.DatasetChanges{Default: &on}); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets#ds-%d", id))
	})
}

func (s *Server) handleEditForm(c echo.Context) error {
	return s.withDataset(c, func(ctx context.Context, id int64) error {
		name, source, desc := c.FormValue("name"), c.FormValue("source"), c.FormValue("description")
		if _, err := s.store.UpdateDataset(ctx, id, data.DatasetChanges{Name: &name, Source: &source, Description: &desc}); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/datasets#ds-%d", id))
	})
}

type uploadView struct {
	CSRF, MaxSize, Error string
	MaxBytes             int64             // the upload limit, for the script to check before sending
	Fields               map[string]string // the options, as last sent
	Months               []monthOption
	// Choices of the options form; Sheets only once a workbook is previewed.
	Flows, Units, Formats, Sheets []option
	// Mapping offers, for each role of a long table, the header's
	// columns, once a preview has read the header (or guessed it).
	Mapping []mappingChoice
	Preview *previewView
}

// mappingChoice is one role's select: "" keeps what detection finds,
// which its first option says; the others are the header's columns by
// letter.
type mappingChoice struct {
	Role, Label, Name string
	Options           []option
}

// mappingChoices builds the column selects from a preview's header and
// the columns its roles were read from, preselecting the mapping last
// sent; none when the preview found no header.
func mappingChoices(fields map[string]string, header []string, used []importers.ColumnUse) []mappingChoice {
	if len(header) == 0 {
		return nil
	}
	detected := map[string]importers.ColumnUse{}
	for _, c := range used {
		detected[c.Role] = c
	}
	var out []mappingChoice
	for _, role := range importers.MapRoles {
		name := "map_" + role
		given := strings.TrimSpace(fields[name])
		first := "detect it (none found)"
		if c, ok := detected[role]; ok && !c.Given {
			first = "detected: " + c.Column + " · " + c.Header
		} else if ok {
			first = "detect it"
		}
		m := mappingChoice{Role: role, Label: strings.ToUpper(role[:1]) + role[1:], Name: name, Options: []option{{"", first, given == ""}}}
		found := given == ""
		for i, h := range header {
			letter := importers.ColumnLetter(i)
			sel := given != "" && (strings.EqualFold(given, letter) || strings.EqualFold(given, h) && !found)
			found = found || sel
			m.Options = append(m.Options, option{letter, letter + " · " + h, sel})
		}
		if !found { // a header text sent by hand that names no column: keep it, the preview says why
			m.Options = append(m.Options, option{given, given + " (not in the header)", true})
		}
		out = append(out, m)
	}
	return out
}

// Values offered for a wide table's flow and unit; the importers accept these.
var (
	flowChoices = []string{"export", "import", "re-export", "re-import"}
	unitChoices = []string{"US$", "thousand US$", "million US$", "billion US$"}
)

// choices is a select's options: first (value "") and then values, with
// current selected.
func choices(current, first string, values ...string) []option {
	out := []option{{"", first, current == ""}}
	for _, v := range values {
		out = append(out, option{v, v, v == current})
	}
	return out
}

type monthOption struct {
	Value    int
	Label    string
	Selected bool
}

type previewView struct {
	ID string
	previewResult
	SizeText, Covers string
	PeriodLabels     []string
	PairLabels       []pairView
	FirstRows        []previewRow
	CanCommit        bool
}

type previewRow struct {
	Reporter, Partner, Period, Flow, Product, Value, SourceRef string
}

func (s *Server) newUploadView(a *admin, fields map[string]string, sheets []importers.Sheet) uploadView {
	v := uploadView{CSRF: a.csrf(), MaxSize: sizeText(s.uploads.max), MaxBytes: s.uploads.max, Fields: fields}
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	v.Flows = choices(v.Fields["flow"], "from the file", flowChoices...)
	v.Units = choices(v.Fields["unit"], "as the file states it", unitChoices...)
	v.Formats = choices(v.Fields["format"], "detect it", importers.LayoutNames()...)
	if len(sheets) > 0 {
		v.Sheets = []option{{"", "the first visible sheet with data", v.Fields["sheet"] == ""}}
		for _, sh := range sheets {
			label := sh.Name
			if sh.Hidden {
				label += " (hidden)"
			}
			v.Sheets = append(v.Sheets, option{sh.Name, label, sh.Name == v.Fields["sheet"]})
		}
	}
	v.Months = append(v.Months, monthOption{0, "January (calendar years only)", true})
	for m := 2; m <= 12; m++ {
		sel := v.Fields["fiscal_start_month"] == strconv.Itoa(m)
		v.Months[0].Selected = v.Months[0].Selected && !sel
		v.Months = append(v.Months, monthOption{m, time.Month(m).String(), sel})
	}
	return v
}

func (s *Server) newPreviewView(p pendingPreview) *previewView {
	r := p.result
	v := &previewView{ID: p.id, previewResult: r, SizeText: sizeText(r.Size), Covers: monthSpan(r.FirstMonth, r.LastMonth),
		CanCommit: len(r.Errors) == 0 && r.Duplicate == nil && r.Rows > 0}
	for _, per := range r.Periods {
		v.PeriodLabels = append(v.PeriodLabels, per.Label())
	}
	for _, pr := range r.Pairs {
		v.PairLabels = append(v.PairLabels, pairView{Label: countryName(s.ref, pr.Reporter) + " – " + countryName(s.ref, pr.Partner),
			Covers: monthSpan(pr.FirstMonth, pr.LastMonth), Observations: pr.Observations})
	}
	for _, o := range r.Observations {
		v.FirstRows = append(v.FirstRows, previewRow{Reporter: o.Reporter, Partner: o.Partner, Period: o.Period.Label(), Flow: string(o.Flow),
			Product: o.Product.Key() + " " + o.Product.Name, Value: boundPrefix(o.Bound) + exactUSD(o.ValueUSD), SourceRef: o.SourceRef})
	}
	return v
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// handleUploadPage shows the upload form, or a pending preview.
func (s *Server) handleUploadPage(c echo.Context) error {
	a := adminOf(c)
	v := s.newUploadView(a, nil, nil)
	if id := c.QueryParam("preview"); id != "" {
		p, ok := s.uploads.pending(id)
		if !ok {
			v.Error = errPreviewGone.Message.(string)
			return s.render(c, http.StatusGone, "upload", v)
		}
		v = s.newUploadView(a, p.fields, p.result.Sheets)
		v.Mapping = mappingChoices(p.fields, p.result.Header, p.result.Columns)
		v.Preview = s.newPreviewView(p)
	}
	return s.render(c, http.StatusOK, "upload", v)
}

// handlePreviewForm parses an upload (or, with options changed, a pending
// preview's file again) and sends the browser to the preview.
func (s *Server) handlePreviewForm(c echo.Context) error {
	ctx, cancel := s.uploadContext(c)
	defer cancel()
	a := adminOf(c)
	fields, up, err := s.receiveUpload(c, a)
	if err != nil {
		return err
	}
	defer up.discard()
	delete(fields, csrfField)
	if up != nil && fields["preview"] != "" {
		fields = s.newFileFields(fields)
	}
	o, err := s.importOptions(fields)
	if err != nil {
		v := s.newUploadView(a, fields, nil)
		v.Error = err.Error()
		return s.render(c, http.StatusBadRequest, "upload", v)
	}
	if up == nil {
		return s.previewAgain(ctx, c, fields, o)
	}
	r, err := s.preview(ctx, up, o)
	if err != nil {
		return err
	}
	id, err := s.uploads.keep(up, fields, r)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/datasets/new?preview="+id)
}

// newFileFields are the options for a new file sent with the upload form
// of another file's preview. That form was filled in for the previous
// file: its sheet and column choices name that file's sheets and columns,
// and its other options (layout, flow, unit, reporter, partner, fiscal
// year, name, source) were chosen for that file. So the new file is read
// from detection: sheet and columns are left out, and so is every option
// the form sends as the preview had it; one the admin changed on the
// page, with the new file chosen, is the new file's. When the previous
// preview is gone, none is kept.
func (s *Server) newFileFields(fields map[string]string) map[string]string {
	out := map[string]string{}
	before, ok := s.uploads.pending(fields["preview"])
	if !ok {
		return out
	}
	for k, v := range fields {
		switch {
		case k == "preview", k == "sheet", strings.HasPrefix(k, "map_"):
		case strings.TrimSpace(v) != strings.TrimSpace(before.fields[k]):
			out[k] = v
		}
	}
	return out
}

// previewAgain parses a pending preview's file with new options.
func (s *Server) previewAgain(ctx context.Context, c echo.Context, fields map[string]string, o importers.Options) error {
	if fields["preview"] == "" {
		return fmt.Errorf("%w: choose a file to upload", data.ErrInvalid)
	}
	p, err := s.uploads.reparse(fields["preview"])
	if err != nil {
		return err
	}
	if !p.sameSheet(o.Sheet) {
		// Another sheet has other columns: the form's column choices were
		// made for the last sheet's header, so its own are detected.
		o.Map = nil
		for _, role := range importers.MapRoles {
			delete(fields, "map_"+role)
		}
	}
	r, err := s.preview(ctx, &p.up, o)
	s.uploads.reparsed(p.id)
	if err != nil {
		return err
	}
	s.uploads.update(p.id, fields, r)
	return c.Redirect(http.StatusSeeOther, "/datasets/new?preview="+p.id)
}

// sameSheet says whether the sheet asked for is the one the preview read
// (result.Sheet), as the importers choose a sheet: the one asked for
// before; that sheet by its name, in any case, as Excel matches names;
// or "", the first visible sheet with data, when that is the sheet read
// (the first visible sheet, which has the data read). Anything else, a
// sheet the preview did not get to read included, counts as another.
func (p pendingPreview) sameSheet(sheet string) bool {
	before, read := strings.TrimSpace(p.fields["sheet"]), p.result.Sheet
	switch {
	case sheet == before:
		return true
	case read == "":
		return false
	case sheet == "":
		for _, sh := range p.result.Sheets {
			if !sh.Hidden {
				return sh.Name == read
			}
		}
		return false
	}
	names := make([]string, len(p.result.Sheets))
	for i, sh := range p.result.Sheets {
		names[i] = sh.Name
	}
	chosen, ok := importers.SheetNamed(names, sheet)
	return ok && chosen == read
}

// handleCommitForm starts importing a pending preview's file in the
// background and sends the browser to the import's page, which follows
// its progress.
func (s *Server) handleCommitForm(c echo.Context) error {
	id := c.FormValue("preview")
	p, err := s.uploads.claim(id)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for k, v := range p.fields {
		fields[k] = v
	}
	fields["name"], fields["source"] = c.FormValue("name"), c.FormValue("source")
	o, err := s.importOptions(fields)
	if err != nil {
		s.uploads.release(id, false)
		return err
	}
	// The import records the admin as its importer.
	job, err := s.startImport(data.WithImporter(c.Request().Context(), adminOf(c).label()), p, o)
	if err != nil {
		s.uploads.release(id, false)
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/datasets/imports/"+job)
}
