package manifest

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func testValues() Values {
	return Values{
		App: "shop", Environment: "dev", Namespace: "shop-dev",
		Image: "reg.example.com/shop:abc", Replicas: 2, Port: 8000,
		Host: "shop.example.com", SecretNames: []string{"SECRET_KEY"},
	}
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .App }}
spec:
  replicas: {{ .Replicas }}
`

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string // the whole error text, or a prefix ending in ...
	}{
		{"unknown value", "a: 1\nb: {{ .Nope }}\n",
			`deploy/k8s/x.yaml: line 2: <.Nope>: can't evaluate field Nope in type manifest.Values (values: ...`},
		{"missing var", "a: 1\n\nb: {{ .Vars.MISSING }}\n",
			`deploy/k8s/x.yaml: line 3: <.Vars.MISSING>: map has no entry for key "MISSING"`},
		{"parse error", "a: 1\nb: {{ if .Host }}\n",
			`deploy/k8s/x.yaml: line 3: unexpected EOF`},
		{"unknown function", "\n\n\nb: {{ toJson .App }}\n",
			`deploy/k8s/x.yaml: line 4: function "toJson" not defined`},
		{"runaway range", "{{ range 100000000 }}0123456789{{ end }}",
			`deploy/k8s/x.yaml: renders to more than 8 MiB: look for a range that never ends`},
		{"yaml error in second document", deployment + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a: b\n",
			`deploy/k8s/x.yaml: rendered line 11: invalid YAML: mapping values are not allowed in this context (at "name: a: b")`},
		{"yaml error after a range", "{{ range .SecretNames }}# {{ . }}\n{{ end }}apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
			`deploy/k8s/x.yaml: rendered line 5: invalid YAML: found character that cannot start any token (at "name: x")`},
		{"not a mapping", "- a\n- b\n",
			`deploy/k8s/x.yaml: rendered line 1: not a Kubernetes object: a document must be a mapping with apiVersion, kind and metadata`},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n",
			`deploy/k8s/x.yaml: rendered line 1: kind is missing or not a string`},
		{"no name", "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n",
			`deploy/k8s/x.yaml: rendered line 2: ConfigMap: metadata.name is missing or not a string`},
		{"generateName", "apiVersion: v1\nkind: Pod\nmetadata: {generateName: a-}\n",
			`deploy/k8s/x.yaml: rendered line 1: Pod: metadata.generateName is not supported with apply: set metadata.name`},
		{"bad name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Shop_Config}\n",
			`deploy/k8s/x.yaml: rendered line 1: ConfigMap "Shop_Config": use lowercase letters, digits, dashes and dots (a DNS name)`},
		{"service name with dot", "apiVersion: v1\nkind: Service\nmetadata: {name: a.b}\n",
			`deploy/k8s/x.yaml: rendered line 1: Service "a.b": use up to 63 lowercase letters, digits and dashes, starting with a letter`},
		{"numeric label", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {tier: 1}}\n",
			`deploy/k8s/x.yaml: rendered line 1: ConfigMap/a: label tier is not a string: quote it, e.g. tier: "1"`},
		{"list kind", "apiVersion: v1\nkind: List\nmetadata: {name: a}\nitems: []\n",
			`deploy/k8s/x.yaml: rendered line 1: kind List: put each object in its own document (separate them with ---)`},
		{"other namespace", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n",
			`deploy/k8s/x.yaml: rendered line 1: ConfigMap/a: metadata.namespace "prod" is not the environment's namespace "shop-dev": remove it or write {{ .Namespace }}`},
		{"twice", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop-dev}\n",
			`deploy/k8s/x.yaml: rendered line 5: ConfigMap/a: defined twice: also at deploy/k8s/x.yaml rendered line 1`},
		{"unknown secret key", deployment + "  template:\n    spec:\n      containers:\n      - env:\n        - name: P\n          valueFrom: {secretKeyRef: {name: shop-secrets, key: DB_PASSWORD}}\n",
			`deploy/k8s/x.yaml: rendered line 1: Deployment/shop: secret key "DB_PASSWORD" of shop-secrets is not among the environment's secrets (SECRET_KEY): add it under environments.dev.secrets in onepipe.yaml`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"deploy/k8s/x.yaml": {Data: []byte(tt.file)}}
			_, err := Render(fsys, "deploy/k8s", testValues())
			if err == nil {
				t.Fatalf("Render succeeded, want %q", tt.want)
			}
			var me *Error
			if !errors.As(err, &me) {
				t.Errorf("error is %T, want *manifest.Error", err)
			}
			got := err.Error()
			if p, ok := strings.CutSuffix(tt.want, "..."); ok {
				if !strings.HasPrefix(got, p) {
					t.Errorf("error\n got %q\nwant prefix %q", got, p)
				}
			} else if got != tt.want {
				t.Errorf("error\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRenderObjects(t *testing.T) {
	fsys := fstest.MapFS{
		"k8s/b.yml": {Data: []byte("# only a comment\n---\n" + deployment + "--- # second\n\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {{ .Namespace }}\n")},
		"k8s/a.yaml": {Data: []byte(`{{ if .Migration }}apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
{{ end }}`)},
		"k8s/c.yaml":      {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: {a: {{ quote .Host }}}\ndata:\n  port: {{ quote .Port }}\n  big: 12345678901234567890\n")},
		"k8s/notes.txt":   {Data: []byte("not a manifest")},
		"k8s/sub/x.yaml":  {Data: []byte("ignored: [")},
		"other/skip.yaml": {Data: []byte("ignored: [")},
	}
	objs, err := Render(fsys, "k8s", testValues())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Source+":"+strconv.Itoa(o.Line)+":"+o.String())
	}
	want := []string{"k8s/b.yml:3:Deployment/shop", "k8s/b.yml:12:Namespace/shop-dev", "k8s/c.yaml:1:ConfigMap/cfg"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("objects\n got %v\nwant %v", got, want)
	}
	cm := objs[2]
	if cm.Label("a") != "shop.example.com" {
		t.Errorf("label a = %q", cm.Label("a"))
	}
	y, err := cm.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(y), `port: "8000"`) || !strings.Contains(string(y), "big: 12345678901234567890") {
		t.Errorf("ConfigMap YAML lost a value:\n%s", y)
	}
	if r := objs[0].Raw["spec"].(map[string]any)["replicas"]; r == nil || r.(interface{ String() string }).String() != "2" {
		t.Errorf("replicas = %v, want 2", r)
	}
}

func TestFilesErrors(t *testing.T) {
	_, err := Files(fstest.MapFS{}, "deploy/k8s")
	if err == nil || !strings.Contains(err.Error(), "manifests folder deploy/k8s does not exist") {
		t.Errorf("missing folder: %v", err)
	}
	_, err = Files(fstest.MapFS{"deploy/k8s/README.md": {}}, "deploy/k8s")
	if err == nil || err.Error() != "manifests folder deploy/k8s has no .yaml files" {
		t.Errorf("empty folder: %v", err)
	}
}

func TestValuesValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Values)
		want string
	}{
		{"ok", func(*Values) {}, ""},
		{"app", func(v *Values) { v.App = "Shop" }, `app "Shop": use up to 63 lowercase letters, digits and dashes`},
		{"namespace", func(v *Values) { v.Namespace = "" }, `namespace "": use up to 63 lowercase letters, digits and dashes`},
		{"image", func(v *Values) { v.Image = "" }, "image is empty: the deploy needs the image the publish stage pushed"},
		{"replicas", func(v *Values) { v.Replicas = -1 }, "replicas -1 is negative"},
		{"port", func(v *Values) { v.Port = 0 }, "port 0: use a port between 1 and 65535"},
		{"host", func(v *Values) { v.Host = "Shop.example.com" }, `host "Shop.example.com": use a lowercase DNS name, e.g. shop.example.com`},
		{"label key", func(v *Values) { v.Labels = map[string]string{"-a": "b"} }, `label "-a": use up to 63 letters, digits, -, _ and . after the prefix`},
		{"label prefix", func(v *Values) { v.Labels = map[string]string{"A_B/c": "b"} }, `label "A_B/c": the prefix before / must be a DNS name`},
		{"label value", func(v *Values) { v.Labels = map[string]string{"a": "b c"} }, `label a="b c": values are up to 63 letters, digits, -, _ and .`},
		{"secret name", func(v *Values) { v.SecretNames = []string{""} }, "secret names: one is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := testValues()
			tt.edit(&v)
			err := v.Validate()
			if got := errText(err); got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Render(fstest.MapFS{}, "k8s", Values{}); err == nil || !strings.HasPrefix(err.Error(), "manifest values: app") {
		t.Errorf("Render with empty values: %v", err)
	}
}

func TestImageIDAndSecretName(t *testing.T) {
	a := Values{App: "shop", Image: "r/shop:1"}
	b := Values{App: "shop", Image: "r/shop:2"}
	if len(a.ImageID()) != 8 || a.ImageID() == b.ImageID() || a.ImageID() != (Values{Image: "r/shop:1"}).ImageID() {
		t.Errorf("ImageID: %q %q", a.ImageID(), b.ImageID())
	}
	if a.SecretObjectName() != "shop-secrets" {
		t.Errorf("SecretObjectName = %q", a.SecretObjectName())
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[any]string{"a: b # c": `"a: b # c"`, `say "hi"`: `"say \"hi\""`, 8000: `"8000"`, "": `""`} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
