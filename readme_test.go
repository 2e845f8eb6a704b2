package disruptor_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeStub declares what the README's snippets take as given: an event
// type, the events to publish, a context, three handlers, an order book and,
// for the snippets that continue the first one, a ring.
const readmeStub = `package readme

import (
	"context"

	"github.com/disruptor-go/disruptor"
)

type Trade struct{ Price, Qty int64 }

type orderBook struct{}

func (orderBook) Apply(seq int64, t *Trade) {}

var (
	ctx                            context.Context
	trades                         []Trade
	book                           orderBook
	r                              *disruptor.Ring[Trade]
	journalFn, replicateFn, applyFn disruptor.Handler[Trade]
)
`

// readmePackages are the packages a snippet may name; each snippet file
// imports those it uses.
var readmePackages = map[string]string{
	"context":   "context",
	"disruptor": "github.com/disruptor-go/disruptor",
	"errors":    "errors",
	"fmt":       "fmt",
	"log":       "log",
	"os":        "os",
	"time":      "time",
}

var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```")

// readmeSnippets returns the bodies of the ```go blocks of README.md.
func readmeSnippets(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range goBlock.FindAllStringSubmatch(string(b), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("README.md has no ```go block")
	}
	return out
}

// snippetFile wraps one snippet in a function of its own, importing the
// packages it names.
func snippetFile(i int, body string) string {
	var sb strings.Builder
	sb.WriteString("package readme\n\nimport (\n")
	for name, path := range readmePackages {
		if regexp.MustCompile(`\b` + name + `\.`).MatchString(body) {
			fmt.Fprintf(&sb, "\t%q\n", path)
		}
	}
	fmt.Fprintf(&sb, ")\n\nfunc snippet%d() {\n%s}\n", i, body)
	return sb.String()
}

// TestReadmeSnippetsCompile builds every Go snippet of README.md against
// this module, so the README shows the API as it is.
func TestReadmeSnippetsCompile(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module readme\n\ngo 1.26.0\n\n" +
		"require github.com/disruptor-go/disruptor v0.0.0\n\n" +
		"replace github.com/disruptor-go/disruptor => " + root + "\n"
	files := map[string]string{"go.mod": gomod, "go.sum": string(sum), "stub.go": readmeStub}
	for i, s := range readmeSnippets(t) {
		files[fmt.Sprintf("snippet%d.go", i)] = snippetFile(i, s)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README snippets do not compile (snippetN.go is the Nth ```go block, from 0): %v\n%s", err, out)
	}
}
