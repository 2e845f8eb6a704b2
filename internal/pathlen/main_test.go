package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// run runs the command with args under a deadline.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- cli(args, &out, &errs) }()
	select {
	case code = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("pathlen %v: still running after 20s", args)
	}
	return code, out.String(), errs.String()
}

// TestLoopsCheckTheirPayloads runs every loop for a few rounds (no valgrind
// here), then again with one wrong payload at the first event, at the
// first of the second round and at the very last: a clean run passes and
// says how many events it checked, and every corrupted one fails naming the
// event and its payload.
func TestLoopsCheckTheirPayloads(t *testing.T) {
	code, list, _ := run(t, "-list")
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		name, what, ok := strings.Cut(line, "\t")
		if !ok || what == "" {
			t.Errorf("-list line %q: want a name, a tab and a description", line)
		}
		names = append(names, name)
	}
	if code != 0 || strings.Join(names, " ") != "array unicast put unicast-next claim16 slices16 multi multi-put chan chan16" {
		t.Fatalf("-list: exit %d, loops %v", code, names)
	}
	const rounds = 3
	for _, name := range names {
		code, out, errs := run(t, "-loop", name, "-rounds", fmt.Sprint(rounds))
		if want := fmt.Sprintf("%s: %d events checked\n", name, rounds*round); code != 0 || out != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and %q", name, code, out, errs, want)
		}
		for _, bad := range []int64{1, round + 1, rounds * round} {
			code, out, errs := run(t, "-loop", name, "-rounds", fmt.Sprint(rounds), "-corrupt", fmt.Sprint(bad))
			want := fmt.Sprintf("pathlen: %s: event %d: payload %d\n", name, bad-1, ^(bad - 1))
			if code != 1 || out != "" || errs != want {
				t.Errorf("%s, event %d corrupted: exit %d, stdout %q, stderr %q; want 1 and %q", name, bad-1, code, out, errs, want)
			}
		}
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-loop", "nope"}, `unknown loop "nope"`},
		{[]string{"-loop", "array", "-rounds", "0"}, "usage: pathlen"},
		{[]string{"-loop", "array", "extra"}, "usage: pathlen"},
		{[]string{"-frob"}, "flag provided but not defined"},
	} {
		code, out, errs := run(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}

// TestScriptWantsValgrind: without valgrind on PATH, scripts/pathlen says
// so and exits 1 (it never runs valgrind in tests).
func TestScriptWantsValgrind(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "../../scripts/pathlen", "unicast")
	cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "pathlen: valgrind is not installed") {
		t.Errorf("without valgrind: %v, output %q; want exit 1 and a message saying so", err, out)
	}
}
