package main

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/tilec/tilec/autotune"
)

// plotTune draws time (or the emulator's estimate) per correct config, the
// winner in its own color.
func plotTune(path string, res *autotune.Result) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s %s on %s", res.Kernel, res.Problem, res.Device)
	p.Y.Label.Text = "time (µs)"
	var vals, best plotter.Values
	var names []string
	for _, c := range res.Sorted() {
		t := c.Median
		if c.Samples == 0 {
			t = c.Estimate
		}
		if t <= 0 {
			continue
		}
		us := float64(t.Nanoseconds()) / 1e3
		names = append(names, c.Config.String())
		if c == res.Best {
			vals = append(vals, 0)
			best = append(best, us)
		} else {
			vals = append(vals, us)
			best = append(best, 0)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("no config has a time to plot")
	}
	w := vg.Points(12)
	bars, err := plotter.NewBarChart(vals, w)
	if err != nil {
		return err
	}
	bars.Color = color.RGBA{R: 120, G: 120, B: 200, A: 255}
	win, err := plotter.NewBarChart(best, w)
	if err != nil {
		return err
	}
	win.Color = color.RGBA{R: 220, G: 80, B: 40, A: 255}
	p.Add(bars, win)
	p.Legend.Add("winner", win)
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = 1.2
	p.X.Tick.Label.XAlign = -1
	return p.Save(vg.Length(60+28*len(names))*vg.Millimeter/4+8*vg.Centimeter, 12*vg.Centimeter, path)
}
