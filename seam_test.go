package disruptor

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// seamFile reports whether a root package file may tell the two memories
// apart by testing a ring's file mapping: the file host's own files
// (shm.go, where shared is defined, shm_*.go and host_file.go).
func seamFile(name string) bool {
	return name == "shm.go" || strings.HasPrefix(name, "shm_") || name == "host_file.go"
}

// shNilTests finds, in the root package's non-test files, every comparison
// of something named sh (a variable, or a field such as r.sh) with nil
// outside the file host's files, as file:line.
func shNilTests(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var found []string
	for _, path := range files {
		name := filepath.Base(path)
		if strings.HasSuffix(name, "_test.go") || seamFile(name) {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			b, ok := n.(*ast.BinaryExpr)
			if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
				return true
			}
			if (isNil(b.X) && namedSh(b.Y)) || (isNil(b.Y) && namedSh(b.X)) {
				p := fset.Position(b.Pos())
				found = append(found, filepath.Base(p.Filename)+":"+strconv.Itoa(p.Line))
			}
			return true
		})
	}
	return found
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// namedSh reports whether e is the identifier sh or a selector of a field
// sh (r.sh, c.r.sh), parenthesised or not.
func namedSh(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "sh"
	case *ast.SelectorExpr:
		return e.Sel.Name == "sh"
	}
	return false
}

// TestHostSeam: what differs between the heap and a mapped file goes
// through the host seam (host.go), so no code outside the file host's own
// files (shm.go, shm_*.go, host_file.go) tests whether a ring has a mapping.
func TestHostSeam(t *testing.T) {
	for _, at := range shNilTests(t, ".") {
		t.Errorf("%s: compares a ring's mapping (sh) with nil outside shm*.go and host_file.go: ask the host instead (host.go)", at)
	}
}

// TestHostSeamFinds: the seam check finds what it looks for.
func TestHostSeamFinds(t *testing.T) {
	dir := t.TempDir()
	src := `package x

func f(r *ring, sh *shared) bool {
	if r.sh != nil {
		return true
	}
	if (c.r.sh) == nil {
		return false
	}
	return nil != sh || r.other == nil
}
`
	if err := os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shm_x.go"), []byte(src), 0o600); err != nil { // the file host's: allowed
		t.Fatal(err)
	}
	got := strings.Join(shNilTests(t, dir), " ")
	if want := "x.go:4 x.go:7 x.go:10"; got != want {
		t.Errorf("found %q, want %q", got, want)
	}
}
