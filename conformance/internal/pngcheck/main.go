// Command pngcheck checks that a screenshot of the conformance HTML
// report shows the report: it decodes, is large enough, and has pixels
// of the grid's header colour and of the colour of a "same" cell (a page
// that failed to load or render is blank or an error page).
//
//	go run ./conformance/internal/pngcheck report.png
package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
)

// The report's colours (suite/html.go): header cells and "same" cells.
var want = map[string][3]uint8{
	"header (#445)":       {0x44, 0x44, 0x55},
	"same cell (#b9e4b9)": {0xb9, 0xe4, 0xb9},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pngcheck FILE.png")
		os.Exit(2)
	}
	if err := check(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "pngcheck:", err)
		os.Exit(1)
	}
}

func check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 300 {
		return fmt.Errorf("%s: %dx%d, too small for the report", path, b.Dx(), b.Dy())
	}
	found := map[string]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			for name, c := range want {
				if near(img, x, y, c) {
					found[name]++
				}
			}
		}
	}
	for name := range want {
		// A cell is some 50x18 pixels: ask for a few cells' worth.
		if found[name] < 2000 {
			return fmt.Errorf("%s: %d pixels of the %s colour, want at least 2000 (not rendered?)", path, found[name], name)
		}
	}
	fmt.Printf("pngcheck: %s: %dx%d, %v\n", path, b.Dx(), b.Dy(), found)
	return nil
}

// near reports whether the pixel at x, y is within 3 of c in each channel.
func near(img image.Image, x, y int, c [3]uint8) bool {
	r, g, bl, _ := img.At(x, y).RGBA()
	d := func(v uint32, w uint8) bool {
		a, b := int(v>>8), int(w)
		return a-b <= 3 && b-a <= 3
	}
	return d(r, c[0]) && d(g, c[1]) && d(bl, c[2])
}
