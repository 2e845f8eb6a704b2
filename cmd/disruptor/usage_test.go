package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

// commandFlags returns c's flags as its setup defines them.
func commandFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	c.setup(fs)
	return fs
}

// Every command answers -h, -help and `help NAME` alike, as the flag
// package does: exit 0, its usage on stdout, nothing on stderr.
func TestEveryCommandHelp(t *testing.T) {
	for _, c := range commands() {
		want := disruptor(t, "help", c.name)
		if want.code != 0 || want.stderr != "" || !strings.HasPrefix(want.stdout, "usage: disruptor "+c.name+" "+c.args+"\n") {
			t.Errorf("help %s: exit %d\nstdout:\n%s\nstderr:\n%s", c.name, want.code, want.stdout, want.stderr)
			continue
		}
		if !strings.Contains(want.stdout, "\nFlags:\n") {
			t.Errorf("help %s lists no flags:\n%s", c.name, want.stdout)
		}
		for _, h := range []string{"-h", "-help", "--help"} {
			o := disruptor(t, c.name, h)
			if o.code != 0 || o.stderr != "" || o.stdout != want.stdout {
				t.Errorf("%s %s: exit %d, stderr %q; stdout differs from help %s: %v",
					c.name, h, o.code, o.stderr, c.name, o.stdout != want.stdout)
			}
		}
	}
}

// A usage error exits 2 with nothing on stdout and, on stderr, the reason
// on the first line and a pointer to -h, never the whole usage.
func TestEveryCommandUsageError(t *testing.T) {
	// One usage error the command itself finds, per command.
	own := map[string][]string{
		"bench":   {"extra"},
		"ls":      {"extra"},
		"inspect": {},
		"rm":      {},
		"produce": {},
		"consume": {},
		"stat":    {"-n", "-1"},
		"bridge":  {"sideways", "r"},
	}
	for _, c := range commands() {
		args, ok := own[c.name]
		if !ok {
			t.Errorf("no usage error listed for command %s", c.name)
			continue
		}
		o := disruptor(t, append([]string{c.name}, args...)...)
		lines := strings.Split(strings.TrimSuffix(o.stderr, "\n"), "\n")
		if o.code != 2 || o.stdout != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "disruptor "+c.name+": ") ||
			lines[1] != "Run 'disruptor "+c.name+" -h' for usage." {
			t.Errorf("%s %q: exit %d, want 2 with a one-line reason\nstdout:\n%s\nstderr:\n%s", c.name, args, o.code, o.stdout, o.stderr)
		}

		// A flag the command does not know: the flag package's message.
		o = disruptor(t, c.name, "-no-such-flag")
		lines = strings.Split(strings.TrimSuffix(o.stderr, "\n"), "\n")
		if o.code != 2 || o.stdout != "" || len(lines) != 3 || lines[0] != "flag provided but not defined: -no-such-flag" ||
			lines[1] != "usage: disruptor "+c.name+" "+c.args {
			t.Errorf("%s -no-such-flag: exit %d, want 2, the flag package's line and the synopsis\nstdout:\n%s\nstderr:\n%s",
				c.name, o.code, o.stdout, o.stderr)
		}
	}
}

// Every flag that can be given a value it refuses (numbers, durations,
// booleans) refuses it with exit 2 before the command runs.
func TestEveryFlagRefusesBadValues(t *testing.T) {
	const bad = "not-a-value"
	for _, c := range commands() {
		commandFlags(c).VisitAll(func(f *flag.Flag) {
			if f.Value.Set(bad) == nil {
				return // a string or list: the command checks it, if at all
			}
			o := disruptor(t, c.name, "-"+f.Name+"="+bad)
			if o.code != 2 || o.stdout != "" || !strings.HasPrefix(o.stderr, "invalid ") || !strings.Contains(o.stderr, `"`+bad+`" for `) || !strings.Contains(o.stderr, "-"+f.Name+": ") {
				t.Errorf("%s -%s=%s: exit %d\nstdout:\n%s\nstderr:\n%s", c.name, f.Name, bad, o.code, o.stdout, o.stderr)
			}
		})
	}
}

// Every command that prints data prints it as JSON with -json. rm prints
// only what it did, one line per removal.
func TestEveryDataCommandHasJSON(t *testing.T) {
	for _, c := range commands() {
		if c.name == "rm" {
			continue
		}
		f := commandFlags(c).Lookup("json")
		if f == nil {
			t.Errorf("%s has no -json flag", c.name)
			continue
		}
		if _, ok := f.Value.(flag.Getter).Get().(bool); !ok {
			t.Errorf("%s -json is not a boolean flag", c.name)
		}
	}
}

// The README's command-line summary names only commands and flags that
// exist, so it cannot go stale silently.
func TestReadmeCommandLine(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flagRE := regexp.MustCompile(`(?:^|[\s\[])-([a-z][a-z-]*)`)
	seen := map[string]bool{}
	for _, block := range regexp.MustCompile("(?ms)^```sh\n(.*?)^```").FindAllStringSubmatch(string(b), -1) {
		for _, line := range strings.Split(block[1], "\n") {
			line, _, _ = strings.Cut(line, "#") // a comment
			fields := strings.Fields(line)
			if len(fields) < 2 || fields[0] != "disruptor" {
				continue
			}
			c := lookup(fields[1])
			if c == nil {
				t.Errorf("README: unknown command in %q", line)
				continue
			}
			seen[c.name] = true
			fs := commandFlags(c)
			for _, m := range flagRE.FindAllStringSubmatch(strings.Join(fields[2:], " "), -1) {
				if fs.Lookup(m[1]) == nil {
					t.Errorf("README: %s has no flag -%s (in %q)", c.name, m[1], line)
				}
			}
		}
	}
	for _, c := range commands() {
		if !seen[c.name] {
			t.Errorf("README: the command line summary leaves out %s", c.name)
		}
	}
}
