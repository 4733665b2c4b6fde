package shim

import (
	"os"
	"path/filepath"
	"testing"
)

// examples are the CI files committed next to the sample apps. They are
// Render's output byte for byte, so nobody can hand-edit them out of sync.
// Refresh them with `go test ./internal/shim -update`, or one by one with the
// `onepipe init` command listed here (internal/cli's tests check both agree).
var examples = []struct {
	Dir  string // under examples/
	Kind Kind
	Data Data
	Init string // the equivalent onepipe command, run from the repository root
}{
	{"tornado", GitLab, Data{App: "tornado"}, "onepipe init gitlab --source examples/tornado --force"},
	{"tornado", Azure, Data{App: "tornado", Repository: "acme.azurecr.io/tornado"}, "onepipe init azure --source examples/tornado --publish acme.azurecr.io/tornado --force"},
	{"flask", GitLab, Data{App: "flask"}, "onepipe init gitlab --source examples/flask --force"},
	{"flask", Azure, Data{App: "flask", Repository: "acme.azurecr.io/flask"}, "onepipe init azure --source examples/flask --publish acme.azurecr.io/flask --force"},
}

func TestExamplesAreRendered(t *testing.T) {
	for _, ex := range examples {
		path := filepath.Join("..", "..", "examples", ex.Dir, filepath.FromSlash(FileName(ex.Kind)))
		t.Run(path, func(t *testing.T) {
			want, err := Render(ex.Kind, ex.Data)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v: create it with `%s` or go test ./internal/shim -update", err, ex.Init)
			}
			if string(got) != string(want) {
				t.Errorf("%s was edited by hand: change the template in internal/shim/templates instead, then run `%s` (or go test ./internal/shim -update)", path, ex.Init)
			}
		})
	}
}
