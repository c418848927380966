package autotune

import (
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"
)

// median returns the median of samples (which it sorts).
func median(samples []time.Duration) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	n := len(samples)
	if n%2 == 1 {
		return samples[n/2]
	}
	return (samples[n/2-1] + samples[n/2]) / 2
}

// ci95 is the half-width of the 95% confidence interval of the samples'
// center: 1.96 standard errors (the normal approximation; tuning takes
// enough samples for it).
func ci95(samples []time.Duration) time.Duration {
	if len(samples) < 2 {
		return time.Duration(math.MaxInt64)
	}
	xs := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = float64(s)
	}
	sd := stat.StdDev(xs, nil)
	return time.Duration(1.96 * sd / math.Sqrt(float64(len(xs))))
}
