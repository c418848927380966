package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec/internal/fp"
	"github.com/tilec/tilec/ptx/emu"
)

func init() { rootCmd.AddCommand(newEmuCmd()) }

// emuOptions are the flags of `tilec emu`.
type emuOptions struct {
	kernel string
	grid   string
	block  string
	smem   uint32
	args   []string
	out    string
	json   bool
	seed   int64
}

// newEmuCmd builds `tilec emu`.
func newEmuCmd() *cobra.Command {
	var o emuOptions
	cmd := &cobra.Command{
		Use:   "emu FILE.ptx --kernel NAME --grid X[,Y,Z] --block X[,Y,Z] [--smem BYTES] --arg SPEC... [--out DIR] [--json]",
		Short: "Run a PTX kernel on tilec's emulator and report sanitizer findings and counters",
		Long: `emu runs one kernel of a PTX file on tilec's built-in PTX emulator, with the
sanitizer on: out-of-bounds and misaligned accesses, shared-memory races and
uninitialized reads, barriers and warp collectives that not all threads reach.

Give one --arg per kernel parameter, in order:
  ptr:TYPE:COUNT:INIT  a device buffer of COUNT elements; TYPE is one of
                       f16 bf16 f32 f64 i8 i32 u32 i64; INIT is zeros, rand
                       (seeded by --seed), range (element i = i) or
                       file=PATH (raw little-endian values, COUNT of them)
  TYPE:VALUE           a scalar; TYPE is one of i8 u8 i16 u16 i32 u32 i64 u64
                       f16 bf16 f32 f64

After the run each buffer is written to DIR/argN.bin (N = parameter index),
and the findings and counters are printed (--json for a JSON document).
Exit status: 0 clean, 3 when the sanitizer reported findings, 2 for bad
input, 1 for other errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runEmu(cmd.OutOrStdout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kernel, "kernel", "", "kernel (.entry) to run; may be omitted when the file has one")
	f.StringVar(&o.grid, "grid", "1", "CTAs per dimension: X[,Y,Z]")
	f.StringVar(&o.block, "block", "", "threads per CTA per dimension: X[,Y,Z] (required)")
	f.Uint32Var(&o.smem, "smem", 0, "dynamic shared memory per CTA in bytes")
	f.StringArrayVar(&o.args, "arg", nil, "kernel argument spec, one per parameter in order (see above)")
	f.StringVar(&o.out, "out", ".", "directory for the argN.bin buffer files")
	f.BoolVar(&o.json, "json", false, "print the result as JSON")
	f.Int64Var(&o.seed, "seed", 1, "seed for rand buffer initialization")
	return cmd
}

// parseDims parses "X[,Y,Z]".
func parseDims(s, what string) ([3]uint32, error) {
	d := [3]uint32{1, 1, 1}
	parts := strings.Split(s, ",")
	if s == "" || len(parts) > 3 {
		return d, badInput("emu: --%s %q: want X[,Y,Z]", what, s)
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 32)
		if err != nil || v == 0 {
			return d, badInput("emu: --%s %q: %q is not a positive integer", what, s, p)
		}
		d[i] = uint32(v)
	}
	return d, nil
}

// elemSize gives the element size of a buffer type.
var elemSize = map[string]int{"f16": 2, "bf16": 2, "f32": 4, "f64": 8, "i8": 1, "i32": 4, "u32": 4, "i64": 8}

// bufArg is a --arg ptr:... buffer.
type bufArg struct {
	param int
	typ   string
	count int
	addr  uint64
	size  int
}

// elemBits returns the little-endian bits of value v as a buffer element.
func elemBits(typ string, v float64) uint64 {
	switch typ {
	case "f16":
		return fp.F16.Round(v, 0, fp.NearestEven)
	case "bf16":
		return fp.BF16.Round(v, 0, fp.NearestEven)
	case "f32":
		return uint64(math.Float32bits(float32(v)))
	case "f64":
		return math.Float64bits(v)
	}
	return uint64(int64(v))
}

// initBuffer builds a buffer's initial bytes.
func initBuffer(typ string, count int, init string, r *rand.Rand) ([]byte, error) {
	es := elemSize[typ]
	data := make([]byte, es*count)
	put := func(i int, bits uint64) {
		for k := 0; k < es; k++ {
			data[i*es+k] = byte(bits >> (8 * k))
		}
	}
	switch {
	case init == "zeros":
	case init == "range":
		for i := 0; i < count; i++ {
			put(i, elemBits(typ, float64(i)))
		}
	case init == "rand":
		for i := 0; i < count; i++ {
			var v float64
			switch typ {
			case "f16", "bf16", "f32", "f64":
				v = 2*r.Float64() - 1
			case "i8":
				v = float64(r.Intn(256))
			case "u32":
				v = float64(r.Intn(1000))
			default:
				v = float64(r.Intn(2000) - 1000)
			}
			put(i, elemBits(typ, v))
		}
	case strings.HasPrefix(init, "file="):
		b, err := os.ReadFile(strings.TrimPrefix(init, "file="))
		if err != nil {
			return nil, err
		}
		if len(b) != len(data) {
			return nil, fmt.Errorf("%s has %d bytes, want %d (%d x %s)", strings.TrimPrefix(init, "file="), len(b), len(data), count, typ)
		}
		copy(data, b)
	default:
		return nil, fmt.Errorf("unknown INIT %q (zeros, rand, range or file=PATH)", init)
	}
	return data, nil
}

// scalarArg converts TYPE:VALUE to the Go value Launch expects.
func scalarArg(typ, val string) (any, error) {
	pi := func(bits int) (int64, error) { return strconv.ParseInt(val, 0, bits) }
	pu := func(bits int) (uint64, error) { return strconv.ParseUint(val, 0, bits) }
	switch typ {
	case "i8":
		v, err := pi(8)
		return int8(v), err
	case "u8":
		v, err := pu(8)
		return uint8(v), err
	case "i16":
		v, err := pi(16)
		return int16(v), err
	case "u16":
		v, err := pu(16)
		return uint16(v), err
	case "i32":
		v, err := pi(32)
		return int32(v), err
	case "u32":
		v, err := pu(32)
		return uint32(v), err
	case "i64":
		return pi(64)
	case "u64":
		return pu(64)
	case "f32":
		v, err := strconv.ParseFloat(val, 32)
		return float32(v), err
	case "f64":
		return strconv.ParseFloat(val, 64)
	case "f16", "bf16":
		v, err := strconv.ParseFloat(val, 64)
		return uint16(elemBits(typ, v)), err
	}
	return nil, fmt.Errorf("unknown scalar type %q", typ)
}

// emuReport is the JSON form of a run.
type emuReport struct {
	File         string        `json:"file"`
	Kernel       string        `json:"kernel"`
	Grid         [3]uint32     `json:"grid"`
	Block        [3]uint32     `json:"block"`
	DynamicSmem  uint32        `json:"dynamicSmem"`
	Clean        bool          `json:"clean"`
	FindingCount int           `json:"findingCount"`
	Findings     []emu.Finding `json:"findings"`
	Counters     emuCounters   `json:"counters"`
	Outputs      []string      `json:"outputs"`
}

type emuCounters struct {
	emu.Counters
	WarpInstructionsByClass   map[string]uint64 `json:"WarpInstructionsByClass"`
	ThreadInstructionsByClass map[string]uint64 `json:"ThreadInstructionsByClass"`
	GlobalLoadSectorsPerReq   float64           `json:"GlobalLoadSectorsPerRequest"`
	GlobalStoreSectorsPerReq  float64           `json:"GlobalStoreSectorsPerRequest"`
	GlobalLoadEfficiency      float64           `json:"GlobalLoadEfficiency"`
	GlobalStoreEfficiency     float64           `json:"GlobalStoreEfficiency"`
}

func runEmu(w io.Writer, file string, o emuOptions) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return badInput("emu: %w", err)
	}
	mod, err := emu.Parse(filepath.Base(file), src)
	if err != nil {
		return badInput("emu: %w", err)
	}
	if o.kernel == "" {
		ks := mod.Kernels()
		if len(ks) != 1 {
			return badInput("emu: %s has kernels %v: choose one with --kernel", file, ks)
		}
		o.kernel = ks[0]
	}
	params, err := mod.Params(o.kernel)
	if err != nil {
		return badInput("emu: %w", err)
	}
	grid, err := parseDims(o.grid, "grid")
	if err != nil {
		return err
	}
	if o.block == "" {
		return badInput("emu: --block is required")
	}
	block, err := parseDims(o.block, "block")
	if err != nil {
		return err
	}
	if len(o.args) != len(params) {
		return badInput("emu: kernel %s has %d parameters, got %d --arg", o.kernel, len(params), len(o.args))
	}
	dev := emu.NewDevice(emu.Options{})
	r := rand.New(rand.NewSource(o.seed))
	var launchArgs []any
	var bufs []bufArg
	for i, spec := range o.args {
		parts := strings.SplitN(spec, ":", 4)
		if parts[0] == "ptr" {
			if len(parts) != 4 {
				return badInput("emu: --arg %q: want ptr:TYPE:COUNT:INIT", spec)
			}
			es, ok := elemSize[parts[1]]
			if !ok {
				return badInput("emu: --arg %q: unknown buffer type %q (f16 bf16 f32 f64 i8 i32 u32 i64)", spec, parts[1])
			}
			count, err := strconv.Atoi(parts[2])
			if err != nil || count <= 0 || count > 1<<28 {
				return badInput("emu: --arg %q: bad COUNT %q", spec, parts[2])
			}
			if params[i].Size != 8 || params[i].Array {
				return badInput("emu: --arg %q: parameter %d (%s .%s) is not a 64-bit pointer", spec, i, params[i].Name, params[i].Type)
			}
			data, err := initBuffer(parts[1], count, parts[3], r)
			if err != nil {
				return badInput("emu: --arg %q: %w", spec, err)
			}
			addr, err := dev.Alloc(es * count)
			if err != nil {
				return failed("emu: %w", err)
			}
			if err := dev.CopyToDevice(addr, data); err != nil {
				return failed("emu: %w", err)
			}
			bufs = append(bufs, bufArg{param: i, typ: parts[1], count: count, addr: addr, size: es * count})
			launchArgs = append(launchArgs, addr)
			continue
		}
		typ, val, ok := strings.Cut(spec, ":")
		if !ok {
			return badInput("emu: --arg %q: want ptr:TYPE:COUNT:INIT or TYPE:VALUE", spec)
		}
		v, err := scalarArg(typ, val)
		if err != nil {
			return badInput("emu: --arg %q: %w", spec, err)
		}
		launchArgs = append(launchArgs, v)
	}
	res, err := dev.Launch(mod, o.kernel, emu.LaunchConfig{Grid: grid, Block: block, DynamicShared: o.smem}, launchArgs...)
	if err != nil {
		// Launch refuses only what the command line asked for.
		return badInput("emu: %w", err)
	}
	var outputs []string
	if len(bufs) > 0 {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return failed("emu: %w", err)
		}
	}
	for _, b := range bufs {
		data := make([]byte, b.size)
		if err := dev.CopyFromDevice(data, b.addr); err != nil {
			return failed("emu: %w", err)
		}
		path := filepath.Join(o.out, fmt.Sprintf("arg%d.bin", b.param))
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return failed("emu: %w", err)
		}
		outputs = append(outputs, path)
	}
	rep := emuReport{
		File: file, Kernel: o.kernel, Grid: grid, Block: block, DynamicSmem: o.smem,
		Clean: res.Clean(), FindingCount: res.FindingCount, Findings: res.Findings,
		Counters: countersJSON(&res.Counters), Outputs: outputs,
	}
	if rep.Findings == nil {
		rep.Findings = []emu.Finding{}
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return failed("emu: %w", err)
		}
	} else if err := printEmuReport(w, &rep, &res.Counters); err != nil {
		return failed("emu: %w", err)
	}
	if !res.Clean() {
		return &exitError{code: exitFindings, err: fmt.Errorf("emu: the sanitizer reported %d findings in %s", res.FindingCount, o.kernel)}
	}
	return nil
}

func countersJSON(c *emu.Counters) emuCounters {
	out := emuCounters{Counters: *c, WarpInstructionsByClass: map[string]uint64{}, ThreadInstructionsByClass: map[string]uint64{}}
	for cl := emu.Class(0); cl < emu.NumClasses; cl++ {
		out.WarpInstructionsByClass[cl.String()] = c.WarpInstructions[cl]
		out.ThreadInstructionsByClass[cl.String()] = c.ThreadInstructions[cl]
	}
	out.GlobalLoadSectorsPerReq = c.GlobalLoadSectorsPerRequest()
	out.GlobalStoreSectorsPerReq = c.GlobalStoreSectorsPerRequest()
	out.GlobalLoadEfficiency = c.GlobalLoadEfficiency()
	out.GlobalStoreEfficiency = c.GlobalStoreEfficiency()
	return out
}

func printEmuReport(w io.Writer, rep *emuReport, c *emu.Counters) error {
	p := &errWriter{w: w}
	p.printf("kernel %s on the emulator: grid (%d,%d,%d), block (%d,%d,%d), %d bytes dynamic shared memory\n",
		rep.Kernel, rep.Grid[0], rep.Grid[1], rep.Grid[2], rep.Block[0], rep.Block[1], rep.Block[2], rep.DynamicSmem)
	if rep.Clean {
		p.printf("sanitizer: clean\n")
	} else {
		p.printf("sanitizer: %d findings (%d shown)\n", rep.FindingCount, len(rep.Findings))
		for _, f := range rep.Findings {
			p.printf("  %s\n", f)
		}
	}
	p.printf("counters:\n  %-10s %14s %14s\n", "class", "warp-instr", "thread-instr")
	for cl := emu.Class(0); cl < emu.NumClasses; cl++ {
		if c.WarpInstructions[cl] != 0 {
			p.printf("  %-10s %14d %14d\n", cl, c.WarpInstructions[cl], c.ThreadInstructions[cl])
		}
	}
	p.printf("  %-10s %14d %14d\n", "total", c.TotalWarpInstructions(), c.TotalThreadInstructions())
	p.printf("  global loads:  %d requests, %d sectors (%.2f per request, %.0f%% efficiency)\n",
		c.GlobalLoadRequests, c.GlobalLoadSectors, c.GlobalLoadSectorsPerRequest(), 100*c.GlobalLoadEfficiency())
	p.printf("  global stores: %d requests, %d sectors (%.2f per request, %.0f%% efficiency)\n",
		c.GlobalStoreRequests, c.GlobalStoreSectors, c.GlobalStoreSectorsPerRequest(), 100*c.GlobalStoreEfficiency())
	p.printf("  shared: %d load requests (%d wavefronts), %d store requests (%d wavefronts), %d bank-conflict wavefronts\n",
		c.SharedLoadRequests, c.SharedLoadWavefronts, c.SharedStoreRequests, c.SharedStoreWavefronts, c.SharedBankConflicts)
	p.printf("  mma %d, barriers %d, atomics %d, CTAs %d\n", c.MMA, c.Barriers, c.Atomics, c.CTAs)
	if line := hopperCounters(c); line != "" {
		p.printf("  %s\n", line)
	}
	for _, o := range rep.Outputs {
		p.printf("wrote %s\n", o)
	}
	return p.err
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (p *errWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
