package main

import (
	"os"
	"testing"

	"github.com/tilec/tilec/autotune"
)

// TestMain lets this test binary serve as the tuning worker that tilec
// tune re-executes, as the real binary's main does.
func TestMain(m *testing.M) {
	autotune.WorkerMain()
	os.Exit(m.Run())
}
