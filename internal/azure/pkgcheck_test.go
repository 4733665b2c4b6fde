package azure

import (
	"archive/zip"
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// zipOf builds a zip holding the named files (empty content).
func zipOf(t testing.TB, names ...string) *zip.Reader {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		if _, err := w.Create(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var goodPackage = []string{
	"host.json", "function_app.py", "requirements.txt", "hello.py",
	".python_packages/lib/site-packages/greetkit/__init__.py",
	".python_packages/lib/site-packages/greetkit-1.0.0.dist-info/METADATA",
	".python_packages/lib/site-packages/azure_functions-1.21.3.dist-info/METADATA",
	".python_packages/lib/site-packages/azure/functions/__init__.py",
	".python_packages/lib/site-packages/six.py",
}

func TestCheckFunctionPackage(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string
		err   string
	}{
		{"v2 app", goodPackage, []string{"greetkit", "azure-functions", "Azure.Functions", "six"}, ""},
		{"v1 app", []string{"host.json", "HttpTrigger/function.json", "HttpTrigger/__init__.py"}, nil, ""},
		{"missing package", goodPackage, []string{"greetkit", "requests"}, "requests missing from .python_packages/lib/site-packages/: the host would find the functions and load none"},
		{"no site-packages", []string{"host.json", "function_app.py"}, []string{"greetkit"}, `"0 functions loaded"`},
		{"wrong site-packages", []string{"host.json", "function_app.py", ".python_packages/lib/python3.11/site-packages/greetkit/__init__.py"},
			[]string{"greetkit"}, "greetkit is at .python_packages/lib/python3.11/site-packages/ instead"},
		{"nested app", []string{"app/host.json", "app/function_app.py"}, nil, "host.json is under app/, not at the zip root"},
		{"nested functions", []string{"host.json", "src/function_app.py"}, nil, "function_app.py is under src/"},
		{"no host.json", []string{"function_app.py"}, nil, "no host.json at the zip root"},
		{"no functions", []string{"host.json", "requirements.txt"}, nil, "no functions at the zip root"},
		{"backslashes", []string{`host.json`, `function_app.py`, `.python_packages\lib\site-packages\greetkit\__init__.py`}, nil, "uses backslashes"},
		{"escaping path", []string{"host.json", "function_app.py", "../etc/passwd"}, nil, "outside the app folder"},
		{"local settings", []string{"host.json", "function_app.py", "local.settings.json"}, nil, "local.settings.json is in the package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckFunctionPackage(zipOf(t, tt.files...), tt.want)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			mustContain(t, err, tt.err)
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestRequirementNames(t *testing.T) {
	in := `# runtime dependencies
azure-functions==1.21.3   # provided by the host anyway
requests[socks]>=2.31 ; python_version >= "3.8"
Flask
flask
-r base.txt
--index-url https://pypi.example/simple
-e ./lib/editable
./packages/greetkit
packages/other
/abs/path/pkg
https://example.com/pkg-1.0.tar.gz
pkg @ https://example.com/pkg-1.0.zip
wheel_pkg-1.0-py3-none-any.whl
long-name \
    >=1.0
zope.interface~=6.0
`
	want := []string{"azure-functions", "requests", "Flask", "pkg", "long-name", "zope.interface"}
	if got := RequirementNames([]byte(in)); !reflect.DeepEqual(got, want) {
		t.Errorf("RequirementNames = %q, want %q", got, want)
	}
	if got := RequirementNames(nil); got != nil {
		t.Errorf("RequirementNames(nil) = %q", got)
	}
}

func FuzzRequirementNames(f *testing.F) {
	f.Add([]byte("azure-functions==1.0\n# c\n-r x.txt\n./p\nname @ https://x/y.zip\nlong \\\n>=1"))
	f.Add([]byte("\\"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, n := range RequirementNames(data) {
			if !reqName.MatchString(n) || reqName.FindString(n) != n {
				t.Errorf("name %q is not a distribution name", n)
			}
		}
	})
}

func FuzzCheckFunctionPackage(f *testing.F) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range goodPackage {
		_, _ = w.Create(n)
	}
	_ = w.Close()
	f.Add(buf.Bytes(), "greetkit")
	f.Add([]byte("PK\x05\x06"+strings.Repeat("\x00", 18)), "")
	f.Fuzz(func(t *testing.T, data []byte, pkg string) {
		r, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		if err := CheckFunctionPackage(r, []string{pkg}); err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	})
}
