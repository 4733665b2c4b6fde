package manifest

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzRender feeds arbitrary template files: Render never panics, every
// failure is a *Error naming the file on one line, and every object it
// accepts has a kind, a valid name and a line inside the rendered output.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		deployment,
		"{{ range .SecretNames }}# {{ . }}\n{{ end }}apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"---\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Namespace }}\n",
		"{{ .Vars.X }}", "{{ if }}", "a: [", "- 1", "apiVersion: v1\nkind: List\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: a, labels: {x: {{ quote .Image }}}}\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fsys := fstest.MapFS{"k8s/f.yaml": {Data: []byte(src)}}
		objs, err := Render(fsys, "k8s", testValues())
		if err != nil {
			var me *Error
			if !errors.As(err, &me) || me.File != "k8s/f.yaml" {
				t.Fatalf("error %v (%T) does not name the file", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			return
		}
		for _, o := range objs {
			if o.Kind == "" || checkName(o.Kind, o.Metadata.Name) != nil || o.Line < 1 {
				t.Fatalf("accepted a bad object: %+v", o)
			}
			if _, err := o.YAML(); err != nil {
				t.Fatalf("accepted object does not marshal: %v", err)
			}
		}
	})
}

// FuzzParse feeds arbitrary rendered output straight to Parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n", "---\n\t", "a: b: c", "--- #x\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		objs, err := Parse("f.yaml", []byte(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		lines := strings.Count(s, "\n") + 1
		for _, o := range objs {
			if o.Line < 1 || o.Line > lines {
				t.Fatalf("line %d outside 1..%d", o.Line, lines)
			}
		}
	})
}
