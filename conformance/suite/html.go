package suite

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
)

// htmlCell is one cell of the HTML grid.
type htmlCell struct {
	Label   string
	Class   string // CSS class of the status
	Title   string // hover text: the detail
	Anchor  string // id of the detail below, if any
	Changed bool   // changed against the recorded run
}

type htmlRow struct {
	Group    string // set on the first row of a group
	Scenario string
	Doc      string
	Cells    []htmlCell
}

type htmlDetail struct {
	ID, Scenario, Class string
	Arches              []string
	Text                string
}

type htmlPage struct {
	UnderTest, Probe, Env, Summary, Compared string
	Arches                                   []string
	Rows                                     []htmlRow
	Details                                  []htmlDetail
	Legend                                   []htmlCell
}

var statusClass = map[Status]string{
	Same: "same", Known: "known", Pass: "ok", NotRun: "notrun", NotApplicable: "na",
	Differs: "bad", Fail: "bad", Error: "bad",
}

const htmlSource = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>fork/exec conformance: {{.UnderTest}}</title>
<style>
body { font: 13px/1.35 "DejaVu Sans", Arial, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
p.env { margin: 0 0 10px; color: #555; }
table.grid { border-collapse: collapse; }
.grid th, .grid td { border: 1px solid #fff; padding: 1px 6px; white-space: nowrap; }
.grid th { background: #445; color: #fff; font-weight: normal; }
.grid td.name { background: #f4f4f6; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
.grid tr.group td { background: #dde; font-weight: bold; padding-top: 4px; }
td.c { text-align: center; font-size: 12px; min-width: 52px; }
.same { background: #b9e4b9; } .ok { background: #9fd3f0; } .known { background: #ffe28a; }
.notrun { background: #d5d5d5; color: #555; } .na { background: #efefef; color: #888; font-style: italic; }
.bad { background: #f08080; font-weight: bold; }
td.changed { outline: 2px solid #7030a0; outline-offset: -2px; }
td.c a { color: inherit; text-decoration: none; }
ul.legend { list-style: none; padding: 0; margin: 8px 0; }
ul.legend li { display: inline-block; margin-right: 10px; padding: 1px 6px; }
.details dt { margin-top: 6px; font-family: "DejaVu Sans Mono", monospace; }
.details dd { margin-left: 16px; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 1040px; font-family: "DejaVu Sans Mono", monospace; font-size: 12px; }
</style></head>
<body>
<h1>fork/exec conformance: syscall.ForkExec (reference) vs {{.UnderTest}}</h1>
<p class="env">{{.Env}}<br>probe built with {{.Probe}}{{if .Compared}}<br>cells outlined in purple changed against the recorded run ({{.Compared}}){{end}}</p>
<p><b>{{.Summary}}</b></p>
<ul class="legend">{{range .Legend}}<li class="{{.Class}}">{{.Label}}: {{.Title}}</li>{{end}}</ul>
<table class="grid">
<tr><th>scenario</th>{{range .Arches}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}{{if .Group}}<tr class="group"><td colspan="{{len .Cells | inc}}">{{.Group}}</td></tr>
{{end}}<tr><td class="name" title="{{.Doc}}">{{.Scenario}}</td>{{range .Cells}}<td class="c {{.Class}}{{if .Changed}} changed{{end}}"{{if .Title}} title="{{.Title}}"{{end}}>{{if .Anchor}}<a href="#{{.Anchor}}">{{.Label}}</a>{{else}}{{.Label}}{{end}}</td>{{end}}</tr>
{{end}}</table>
{{if .Details}}<h2>Details</h2>
<dl class="details">{{range .Details}}<dt id="{{.ID}}"><span class="{{.Class}}">{{.Scenario}} [{{join .Arches ","}}]</span></dt><dd>{{.Text}}</dd>
{{end}}</dl>{{end}}
</body></html>
`

var htmlTmpl = template.Must(template.New("report").
	Funcs(template.FuncMap{"inc": func(n int) int { return n + 1 }, "join": strings.Join}).Parse(htmlSource))

// WriteHTML writes o as a self-contained HTML page: a scenario x arch
// grid coloured by verdict, the detail of each cell on hover and, for
// every cell that is not plainly same or ok, in a list below (once for a
// column whose every cell has the same detail; not for the other cells
// not run or not applicable). With old
// (may be nil), cells whose verdict or outcome changed are outlined.
func WriteHTML(w io.Writer, o, old *Outcome) error {
	page := htmlPage{UnderTest: o.UnderTest, Probe: o.Probe, Env: o.Env.Summary(o.Arches),
		Summary: o.Summary(), Arches: o.Arches}
	for _, s := range []Status{Same, Known, Pass, NotRun, NotApplicable, Differs} {
		l := htmlCell{Label: cell(Result{Status: s}), Class: statusClass[s]}
		l.Title = map[Status]string{Same: "identical after masking", Known: "differs only where documented",
			Pass: "meets its documented expectation", NotRun: "not run, reason given",
			NotApplicable: "implementation lacks the feature", Differs: "DIFFERS, FAIL or ERROR: the run fails"}[s]
		page.Legend = append(page.Legend, l)
	}
	changed := map[string]bool{}
	if old != nil {
		page.Compared = old.Env.Summary(old.Arches)
		for _, c := range Compare(old, o) {
			changed[c.Scenario+"\x00"+c.Arch] = true
		}
	}
	order, byScen := o.grid()
	group := ""
	detailOf := map[string]int{} // scenario NUL text -> index in page.Details
	// addDetail adds arch to the detail entry of scenario and text,
	// making it if it is new, and returns the entry's id.
	addDetail := func(scenario, text, class, arch string) string {
		text = strings.TrimSpace(text)
		i, ok := detailOf[scenario+"\x00"+text]
		if !ok {
			i = len(page.Details)
			detailOf[scenario+"\x00"+text] = i
			page.Details = append(page.Details, htmlDetail{ID: fmt.Sprintf("d%d", i), Scenario: scenario,
				Class: class, Text: text})
		}
		page.Details[i].Arches = append(page.Details[i].Arches, arch)
		return page.Details[i].ID
	}
	// A column whose every cell has the same explanation (the FreeBSD
	// column on Linux: not run, no FreeBSD host) is explained once, at
	// the top of the details, as in the text table: its reason is then
	// in the page itself, not only on hover.
	whole := o.wholeColumns(order, byScen)
	wholeID := map[string]string{} // arch -> id of its detail entry
	for _, a := range o.Arches {
		if d, ok := whole[a]; ok {
			wholeID[a] = addDetail("every scenario", d, statusClass[byScen[order[0]][a].Status], a)
		}
	}
	for _, n := range order {
		row := htmlRow{Scenario: n}
		if s := Lookup(n); s != nil {
			row.Doc = s.Doc
		}
		for _, a := range o.Arches {
			r := byScen[n][a]
			if r.Group != "" && r.Group != group {
				group = r.Group
				row.Group = group
			}
			c := htmlCell{Label: cell(r), Class: statusClass[r.Status], Changed: changed[n+"\x00"+a]}
			c.Title = detail(r)
			switch {
			case wholeID[a] != "":
				c.Anchor = wholeID[a]
			case c.Title != "" && r.Status != NotRun && r.Status != NotApplicable:
				// One entry per scenario and text, naming every arch
				// that has it.
				c.Anchor = addDetail(n, c.Title, c.Class, a)
			}
			row.Cells = append(row.Cells, c)
		}
		page.Rows = append(page.Rows, row)
	}
	return htmlTmpl.Execute(w, page)
}

// WriteHTMLFile writes the HTML report of o (see WriteHTML) to path.
func WriteHTMLFile(path string, o, old *Outcome) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(f)
	if err := WriteHTML(b, o, old); err != nil {
		f.Close()
		return err
	}
	if err := b.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
