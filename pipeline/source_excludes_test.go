package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestModuleIgnoresWhatTheCLIUploadsNot: the Dagger module's +ignore pragma
// (a literal the SDK reads at codegen) lists exactly SourceExcludes, so
// `dagger call` uploads what `onepipe run` uploads. (The module also filters
// with SourceExcludes; the pragma keeps the upload itself small.)
func TestModuleIgnoresWhatTheCLIUploadsNot(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "ci", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*// \+ignore=(\[.*\])$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("ci/main.go has no +ignore pragma on the source")
	}
	var ignored []string
	if err := json.Unmarshal(m[1], &ignored); err != nil {
		t.Fatalf("+ignore is not a JSON list: %v", err)
	}
	if !slices.Equal(ignored, SourceExcludes) {
		t.Errorf("ci/main.go +ignore = %q\nSourceExcludes     = %q", ignored, SourceExcludes)
	}
}
