package emu

import (
	"strings"
	"testing"
)

func TestDeviceMemoryAPI(t *testing.T) {
	d := NewDevice(Options{})
	a, err := d.Alloc(100)
	if err != nil || a == 0 || a%256 != 0 {
		t.Fatalf("Alloc = %#x, %v; want a nonzero 256-aligned address", a, err)
	}
	b, _ := d.Alloc(100)
	if b < a+100+4096 {
		t.Errorf("allocations %#x and %#x are not well separated", a, b)
	}
	if err := d.Memset(a, 7, 100); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 100)
	if err := d.CopyFromDevice(got, a); err != nil || got[99] != 7 {
		t.Fatalf("memset/copy: %v %v", got[99], err)
	}
	if err := d.CopyToDevice(a+50, make([]byte, 51)); err == nil {
		t.Error("a copy past the end of an allocation must fail")
	}
	if err := d.CopyFromDevice(got, 12345); err == nil {
		t.Error("a copy from an unmapped address must fail")
	}
	if err := d.Free(a + 1); err == nil {
		t.Error("Free of an interior pointer must fail")
	}
	if err := d.Free(a); err != nil {
		t.Fatal(err)
	}
	if err := d.CopyFromDevice(got, a); err == nil {
		t.Error("a copy from freed memory must fail")
	}
}

func TestLaunchErrors(t *testing.T) {
	m := mustParse(t, "vecadd.ptx", golden(t, "vecadd"))
	d := NewDevice(Options{})
	p, _ := d.Alloc(16)
	cfg := LaunchConfig{Grid: [3]uint32{1}, Block: [3]uint32{32}}
	cases := []struct {
		kernel string
		cfg    LaunchConfig
		args   []any
		msg    string
	}{
		{"nope", cfg, nil, `no kernel "nope"`},
		{"vecadd", cfg, []any{p, p, p}, "takes 4 parameters, got 3"},
		{"vecadd", cfg, []any{p, p, p, 3}, "unsupported argument type int"},
		{"vecadd", cfg, []any{p, p, p, int64(3)}, "is .u32 (4 bytes), got int64"},
		{"vecadd", cfg, []any{p, p, float64(1), int32(3)}, "got a float"},
		{"vecadd", LaunchConfig{Block: [3]uint32{2048}}, []any{p, p, p, int32(3)}, "exceeds 1024 threads"},
		{"vecadd", LaunchConfig{Block: [3]uint32{32}, DynamicShared: 1 << 20}, []any{p, p, p, int32(3)}, "shared memory"},
	}
	for _, c := range cases {
		_, err := d.Launch(m, c.kernel, c.cfg, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Launch(%s, %v): error %v, want one mentioning %q", c.kernel, c.args, err, c.msg)
		}
	}
}

// The same module may run concurrently on several devices and launches.
func TestConcurrentLaunches(t *testing.T) {
	m := mustParse(t, "vecadd.ptx", golden(t, "vecadd"))
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			d := NewDevice(Options{Workers: 2})
			a, _ := d.Alloc(4096)
			res, err := d.Launch(m, "vecadd", LaunchConfig{Grid: [3]uint32{4}, Block: [3]uint32{256}}, a, a, a, int32(1024))
			if err == nil && !res.Clean() {
				err = &SyntaxError{Msg: "findings"}
			}
			done <- err
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
