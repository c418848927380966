package cuda

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseDiagnostics(t *testing.T) {
	log := strings.Join([]string{
		"ptxas application ptx input, line 12; warning : Double is not supported. Demoting to float",
		"ptxas application ptx input, line 42; error   : Unknown symbol 'foo'",
		"ptxas application ptx input, line 43; error   : Arguments mismatch for instruction 'mov'",
		"ptxas fatal   : Ptx assembly aborted due to errors",
	}, "\n")
	ds := parseDiagnostics(log)
	assert.Equal(t, []Diagnostic{
		{12, "warning", "Double is not supported. Demoting to float"},
		{42, "error", "Unknown symbol 'foo'"},
		{43, "error", "Arguments mismatch for instruction 'mov'"},
	}, ds)
	assert.Equal(t, 42, firstErrorLine(ds), "the first error, not the first warning")
	assert.Equal(t, 12, firstErrorLine(ds[:1]))
	assert.Equal(t, 0, firstErrorLine(nil))
	ds = parseDiagnostics("ptxas application ptx input, line 1; fatal   : Unsupported .version 9.1; current version is '9.0'")
	assert.Equal(t, []Diagnostic{{1, "fatal", "Unsupported .version 9.1; current version is '9.0'"}}, ds)
}
