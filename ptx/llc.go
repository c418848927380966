package ptx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// llcTimeout bounds one llc or opt run.
const llcTimeout = 2 * time.Minute

// findTool returns the first of names found on PATH, or "".
func findTool(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// HaveLLC reports whether llc-14 (or llc) is installed.
func HaveLLC() bool { return findTool("llc-14", "llc") != "" }

// HaveOpt reports whether opt-14 (or opt) is installed.
func HaveOpt() bool { return findTool("opt-14", "opt") != "" }

// ErrNoLLVM is returned by LLC and Verify when the tool is not installed.
var ErrNoLLVM = errors.New("ptx: LLVM tool not installed (apt-get install llvm-14)")

// LLC compiles LLVM IR text with llc -march=nvptx64 -mcpu=<sm>
// -mattr=+ptx75 -O3, the checked alternative to Compile. llc-14 knows
// targets up to sm_86 and PTX 7.5: sm_89 and newer are an error.
func LLC(llText string, t Target) (string, error) {
	a, err := lookupArch(t)
	if err != nil {
		return "", err
	}
	if a.sm > 86 {
		return "", fmt.Errorf("ptx: llc-14 cannot target %s (it stops at sm_86 / PTX 7.5); use Compile", a.name)
	}
	llc := findTool("llc-14", "llc")
	if llc == "" {
		return "", ErrNoLLVM
	}
	out, err := runTool(llc, llText, "-march=nvptx64", "-mcpu="+a.name, "-mattr=+ptx75", "-O3", "-o", "-")
	if err != nil {
		return "", fmt.Errorf("ptx: llc: %w", err)
	}
	return out, nil
}

// Verify runs opt -passes=verify on LLVM IR text: nil when the IR is
// well formed.
func Verify(llText string) error {
	opt := findTool("opt-14", "opt")
	if opt == "" {
		return ErrNoLLVM
	}
	if _, err := runTool(opt, llText, "-passes=verify", "-disable-output"); err != nil {
		return fmt.Errorf("ptx: opt -passes=verify: %w", err)
	}
	return nil
}

// runTool runs an LLVM tool with the IR on stdin and returns its stdout;
// a failure carries the tool's stderr.
func runTool(tool, input string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), llcTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
