// Command benchreport turns the interleaved rounds of bench/run.sh into a
// ratio table (Markdown) and a PNG of latency against heap size.
//
//	go run ./cmd/benchreport -md results/ratios.md -png results/latency.png out/raw/round-*.txt
//
// Each file is one round: every implementation's result for a case in one
// round was measured close together in time, so the ratio of two
// implementations is taken within each round and the table shows the
// median of those per-round ratios (and their range), which cancels drift
// that a ratio of overall medians would not. Results are paired by their
// name without the impl= part and the -GOMAXPROCS suffix.
package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"log"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// obs: one case's values per implementation and round.
type obs struct {
	ns     map[string]map[int]float64 // impl -> round -> ns/op
	allocs map[string][]float64       // impl -> allocs/op (all rounds)
}

type caseKey struct {
	bench string            // SpawnWait, Spawn, ...
	keys  map[string]string // prog, attr, heap, par
	name  string            // the name without impl: the pairing key
}

var (
	mdOut  = flag.String("md", "", "write the Markdown ratio table here (default stdout)")
	pngOut = flag.String("png", "", "write the latency-vs-heap plot here")
	proto  = flag.String("proto", "", "userns_proto output to summarize (BenchmarkUsernsProto/heap=H/design=D)")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchreport: ")
	if flag.NArg() == 0 {
		log.Fatal("usage: benchreport [-md FILE] [-png FILE] round-files...")
	}

	cases := map[string]*caseKey{}
	data := map[string]*obs{}
	for round, file := range flag.Args() {
		f, err := os.Open(file)
		if err != nil {
			log.Fatal(err)
		}
		r := benchfmt.NewReader(f, file)
		for r.Scan() {
			res, ok := r.Result().(*benchfmt.Result)
			if !ok {
				continue
			}
			base, parts := res.Name.Parts()
			ck := &caseKey{bench: string(base), keys: map[string]string{}}
			impl := ""
			var name []string
			for _, p := range parts {
				s := string(p)
				if strings.HasPrefix(s, "-") { // GOMAXPROCS
					continue
				}
				k, v, _ := strings.Cut(strings.TrimPrefix(s, "/"), "=")
				if k == "impl" {
					impl = v
					continue
				}
				ck.keys[k] = v
				name = append(name, s)
			}
			if impl == "" {
				continue
			}
			ck.name = ck.bench + strings.Join(name, "")
			sec, ok := res.Value("sec/op")
			if !ok || sec == 0 {
				continue
			}
			if cases[ck.name] == nil {
				cases[ck.name] = ck
				data[ck.name] = &obs{ns: map[string]map[int]float64{}, allocs: map[string][]float64{}}
			}
			o := data[ck.name]
			if o.ns[impl] == nil {
				o.ns[impl] = map[int]float64{}
			}
			o.ns[impl][round] = sec * 1e9
			if a, ok := res.Value("allocs/op"); ok {
				o.allocs[impl] = append(o.allocs[impl], a)
			}
		}
		if err := r.Err(); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}

	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return less(cases[names[i]], cases[names[j]]) })

	var w io.Writer = os.Stdout
	if *mdOut != "" {
		f, err := os.Create(*mdOut)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	writeTable(w, names, cases, data, len(flag.Args()))
	writeFlatness(w, names, cases, data)
	if *proto != "" {
		writeProto(w, *proto)
	}
	if *pngOut != "" {
		if err := drawPlot(*pngOut, names, cases, data); err != nil {
			log.Fatal(err)
		}
	}
}

var benchOrder = []string{"Spawn", "SpawnWait"}
var attrOrder = []string{"none", "pdeathsig", "closefds", "newuser", "newusermap"}

func less(a, b *caseKey) bool {
	if x, y := slices.Index(benchOrder, a.bench), slices.Index(benchOrder, b.bench); x != y {
		return x < y
	}
	if a.keys["prog"] != b.keys["prog"] {
		return a.keys["prog"] < b.keys["prog"]
	}
	if x, y := slices.Index(attrOrder, a.keys["attr"]), slices.Index(attrOrder, b.keys["attr"]); x != y {
		return x < y
	}
	if a.keys["par"] != b.keys["par"] {
		return atoi(a.keys["par"]) < atoi(b.keys["par"])
	}
	if ha, hb := heapBytes(a.keys["heap"]), heapBytes(b.keys["heap"]); ha != hb {
		return ha < hb
	}
	return a.name < b.name
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func heapBytes(s string) float64 {
	for _, u := range []struct {
		suf string
		m   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suf) {
			n, _ := strconv.ParseFloat(strings.TrimSuffix(s, u.suf), 64)
			return n * u.m
		}
	}
	n, _ := strconv.ParseFloat(s, 64)
	return n
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func values(m map[int]float64) []float64 {
	var v []float64
	for _, x := range m {
		v = append(v, x)
	}
	return v
}

// pairedRatio returns the median, min and max of a/b over the rounds that
// have both, and how many rounds that is.
func pairedRatio(a, b map[int]float64) (med, lo, hi float64, n int) {
	var rs []float64
	for r, x := range a {
		if y, ok := b[r]; ok && y > 0 {
			rs = append(rs, x/y)
		}
	}
	if len(rs) == 0 {
		return 0, 0, 0, 0
	}
	return median(rs), slices.Min(rs), slices.Max(rs), len(rs)
}

func fmtNs(ns float64) string {
	switch {
	case ns == 0:
		return "-"
	case ns >= 1e6:
		return fmt.Sprintf("%.2fms", ns/1e6)
	default:
		return fmt.Sprintf("%.0fµs", ns/1e3)
	}
}

func fmtRatio(a, b map[int]float64) string {
	if a == nil || b == nil {
		return "-"
	}
	med, lo, hi, n := pairedRatio(a, b)
	if n == 0 {
		return "-"
	}
	if n == 1 {
		return fmt.Sprintf("%.3f", med)
	}
	return fmt.Sprintf("**%.3f** (%.2f–%.2f)", med, lo, hi)
}

func fmtAllocs(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	return strconv.FormatFloat(median(xs), 'f', -1, 64)
}

func caseLabel(c *caseKey) string {
	return fmt.Sprintf("%s prog=%s attr=%s heap=%s par=%s", c.bench, c.keys["prog"], c.keys["attr"], c.keys["heap"], c.keys["par"])
}

func writeTable(w io.Writer, names []string, cases map[string]*caseKey, data map[string]*obs, rounds int) {
	fmt.Fprintf(w, "Median over %d interleaved rounds of the per-round ratio (min–max in brackets); latencies are medians of ns/op.\n\n", rounds)
	fmt.Fprintln(w, "| case | forkexec | posix_spawn | syscall | os/exec | forkexec/posix_spawn | forkexec/syscall | allocs/op forkexec, syscall, os/exec |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, n := range names {
		c, o := cases[n], data[n]
		fe := o.ns["forkexec"]
		if fe == nil {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s, %s, %s |\n", caseLabel(c),
			fmtNs(median(values(fe))), fmtNs(median(values(o.ns["posix_spawn"]))),
			fmtNs(median(values(o.ns["syscall"]))), fmtNs(median(values(o.ns["osexec"]))),
			fmtRatio(fe, o.ns["posix_spawn"]), fmtRatio(fe, o.ns["syscall"]),
			fmtAllocs(o.allocs["forkexec"]), fmtAllocs(o.allocs["syscall"]), fmtAllocs(o.allocs["osexec"]))
	}
	// forkexec with the stdlib's error pipe instead of shared memory.
	var pipeRows []string
	for _, n := range names {
		o := data[n]
		if o.ns["forkexec_pipe"] != nil {
			pipeRows = append(pipeRows, fmt.Sprintf("| %s | %s | %s | %s |", caseLabel(cases[n]),
				fmtNs(median(values(o.ns["forkexec"]))), fmtNs(median(values(o.ns["forkexec_pipe"]))),
				fmtRatio(o.ns["forkexec"], o.ns["forkexec_pipe"])))
		}
	}
	if len(pipeRows) > 0 {
		fmt.Fprint(w, "\nShared-memory error reporting against the same vfork child reporting through a close-on-exec pipe:\n\n")
		fmt.Fprintln(w, "| case | forkexec (shared memory) | forkexec_pipe | shared/pipe |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, r := range pipeRows {
			fmt.Fprintln(w, r)
		}
	}
}

// writeFlatness prints, per case and implementation, the cost at the largest
// heap over the cost at heap 0, paired by round.
func writeFlatness(w io.Writer, names []string, cases map[string]*caseKey, data map[string]*obs) {
	type group struct {
		byHeap map[string]string // heap -> case name
	}
	groups := map[string]*group{}
	var order []string
	heaps := map[string]bool{}
	for _, n := range names {
		c := cases[n]
		g := fmt.Sprintf("%s prog=%s attr=%s par=%s", c.bench, c.keys["prog"], c.keys["attr"], c.keys["par"])
		if groups[g] == nil {
			groups[g] = &group{byHeap: map[string]string{}}
			order = append(order, g)
		}
		groups[g].byHeap[c.keys["heap"]] = n
		heaps[c.keys["heap"]] = true
	}
	var hs []string
	for h := range heaps {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return heapBytes(hs[i]) < heapBytes(hs[j]) })
	if len(hs) < 2 || hs[0] != "0" {
		return
	}
	impls := []string{"forkexec", "posix_spawn", "syscall", "osexec"}
	fmt.Fprintf(w, "\nCost against heap size: ns/op at heap=H over ns/op at heap=0, same implementation, paired by round (1.00 = flat):\n\n")
	fmt.Fprintf(w, "| case | heap |")
	for _, i := range impls {
		fmt.Fprintf(w, " %s |", i)
	}
	fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("---|", len(impls)))
	for _, g := range order {
		base := groups[g].byHeap["0"]
		if base == "" {
			continue
		}
		for _, h := range hs[1:] {
			n := groups[g].byHeap[h]
			if n == "" {
				continue
			}
			fmt.Fprintf(w, "| %s | %s |", g, h)
			for _, i := range impls {
				fmt.Fprintf(w, " %s |", fmtRatio(data[n].ns[i], data[base].ns[i]))
			}
			fmt.Fprintln(w)
		}
	}
}

var implColors = map[string]color.Color{
	"forkexec":    color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	"posix_spawn": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	"syscall":     color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	"osexec":      color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// drawPlot draws, for spawn+wait of the static helper on one goroutine,
// median latency against heap size with one line per implementation: one
// panel per attr.
func drawPlot(path string, names []string, cases map[string]*caseKey, data map[string]*obs) error {
	var panels []*plot.Plot
	for _, attr := range attrOrder {
		p := plot.New()
		p.Title.Text = "spawn+wait, attr=" + attr
		p.X.Label.Text = "resident heap (GiB)"
		p.Y.Label.Text = "ms per spawn+wait (median)"
		p.Legend.Top = false
		p.Legend.Left = false
		p.Add(plotter.NewGrid())
		any := false
		for _, impl := range []string{"forkexec", "posix_spawn", "syscall", "osexec"} {
			var pts plotter.XYs
			for _, n := range names {
				c := cases[n]
				if c.bench != "SpawnWait" || c.keys["prog"] != "static" || c.keys["attr"] != attr || c.keys["par"] != "1" {
					continue
				}
				if v := data[n].ns[impl]; v != nil {
					pts = append(pts, plotter.XY{X: heapBytes(c.keys["heap"]) / (1 << 30), Y: median(values(v)) / 1e6})
				}
			}
			if len(pts) == 0 {
				continue
			}
			sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color, s.Color = implColors[impl], implColors[impl]
			l.Width = vg.Points(1.5)
			p.Add(l, s)
			p.Legend.Add(impl, l, s)
			any = true
		}
		if !any {
			continue
		}
		p.Y.Min = 0
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return fmt.Errorf("nothing to plot")
	}
	cols := 2
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	const cell = 4 * vg.Inch
	img := vgimg.New(cell*vg.Length(cols), cell*vg.Length(rows)*0.8)
	dc := draw.New(img)
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, t, dc)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeProto summarizes bench/userns_proto.c: a spawn into a new user
// namespace by fork-class clone against clone(CLONE_VM) on a separate stack.
func writeProto(w io.Writer, file string) {
	f, err := os.Open(file)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ns := map[string]map[string][]float64{} // heap -> design -> ns/op
	var heaps []string
	r := benchfmt.NewReader(f, file)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		_, parts := res.Name.Parts()
		var heap, design string
		for _, p := range parts {
			k, v, _ := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
			switch k {
			case "heap":
				heap = v
			case "design":
				design = v
			}
		}
		sec, ok := res.Value("sec/op")
		if !ok || heap == "" || design == "" {
			continue
		}
		if ns[heap] == nil {
			ns[heap] = map[string][]float64{}
			heaps = append(heaps, heap)
		}
		ns[heap][design] = append(ns[heap][design], sec*1e9)
	}
	if len(heaps) == 0 {
		return
	}
	sort.Slice(heaps, func(i, j int) bool { return heapBytes(heaps[i]) < heapBytes(heaps[j]) })
	fmt.Fprintf(w, "\nPrototype (bench/userns_proto.c): spawn+wait into a new user namespace, uid/gid maps written by the parent; median ns/op:\n\n")
	fmt.Fprintln(w, "| heap | vm: CLONE_VM, own stack, parent writes maps | self: vfork child writes its own self-maps | fork: no CLONE_VM (stdlib) | posix_spawn, no userns | vm/posix_spawn | self/posix_spawn | fork/vm |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, h := range heaps {
		d := ns[h]
		vm, self, fk, ps := median(d["vm"]), median(d["self"]), median(d["fork"]), median(d["posix_spawn"])
		ratio := func(a, b float64) string {
			if a == 0 || b == 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", a/b)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", h, fmtNs(vm), fmtNs(self), fmtNs(fk), fmtNs(ps), ratio(vm, ps), ratio(self, ps), ratio(fk, vm))
	}
}
