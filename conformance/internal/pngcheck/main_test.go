package main

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

func writePNG(t *testing.T, paint func(x, y int) color.Color) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 800; x++ {
			img.Set(x, y, paint(x, y))
		}
	}
	p := filepath.Join(t.TempDir(), "shot.png")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheck(t *testing.T) {
	blank := writePNG(t, func(x, y int) color.Color { return color.White })
	if err := check(blank); err == nil {
		t.Error("a blank page passed")
	}
	grid := writePNG(t, func(x, y int) color.Color {
		switch {
		case y < 20:
			return color.RGBA{0x44, 0x44, 0x55, 0xff} // header
		case y < 200:
			return color.RGBA{0xb9, 0xe4, 0xb9, 0xff} // same cells
		}
		return color.White
	})
	if err := check(grid); err != nil {
		t.Errorf("a rendered grid failed: %v", err)
	}
}
