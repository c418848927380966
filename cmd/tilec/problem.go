package main

import (
	"github.com/spf13/cobra"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// problemFlags are the flags that pick a kernel's problem instance and
// config; compile and run share them.
type problemFlags struct {
	shape, dtype, config string
}

func (pf *problemFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&pf.shape, "shape", "", "problem sizes and switches, k=v,... (see `tilec kernels NAME`)")
	cmd.Flags().StringVar(&pf.dtype, "dtype", "", "element type (default: the kernel's first)")
	cmd.Flags().StringVar(&pf.config, "config", "", "meta-parameters, k=v,... (default: the first config of the tuning space)")
}

// resolved is a kernel with a problem, a config and the plan they give.
type resolved struct {
	kernel  *kernels.Kernel
	problem kernels.Problem
	config  ir.Config
	plan    *kernels.Plan
}

// resolve turns the command line into a plan; every error is the user's.
func (pf *problemFlags) resolve(name string) (*resolved, error) {
	k := kernels.Lookup(name)
	if k == nil {
		return nil, badInput("unknown kernel %q (kernels: %s)", name, kernels.Names())
	}
	sizes, err := kernels.ParseAssignments(pf.shape)
	if err != nil {
		return nil, badInput("--shape: %v", err)
	}
	dt := ir.Invalid
	if pf.dtype != "" {
		if dt, err = ir.ParseDType(pf.dtype); err != nil {
			return nil, badInput("--dtype: %v", err)
		}
	}
	p, err := k.Problem(sizes, dt)
	if err != nil {
		return nil, badInput("%v", err)
	}
	var cfg ir.Config
	if pf.config != "" {
		m, err := kernels.ParseAssignments(pf.config)
		if err != nil {
			return nil, badInput("--config: %v", err)
		}
		cfg = ir.Config(m)
	} else if cfg, err = k.DefaultConfig(p); err != nil {
		return nil, badInput("%v", err)
	}
	plan, err := k.Plan(p, cfg)
	if err != nil {
		return nil, badInput("%v", err)
	}
	// Binding the config is where a config that does not fit the problem
	// (a tile that is not a power of two, a shape that does not divide)
	// shows up; that too is the user's input.
	if _, err := plan.Specialize(); err != nil {
		return nil, badInput("%v", err)
	}
	return &resolved{kernel: k, problem: p, config: cfg, plan: plan}, nil
}
