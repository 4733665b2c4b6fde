package manifest

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current rendering")

// flaskValues are the values the deploy stage would pass for the Flask example.
func flaskValues(env string) Values {
	v := Values{
		App:         "flask",
		Environment: env,
		Namespace:   "flask-" + env,
		Image:       "registry.example.com/acme/flask:1a2b3c4d",
		Version:     "1a2b3c4d",
		Replicas:    1,
		Host:        "conduit.dev.example.com",
		Port:        8000,
		Vars:        map[string]string{"TOKEN_TTL_SECONDS": "3600"},
		SecretNames: []string{"POSTGRES_PASSWORD", "SECRET_KEY"},
		Migration:   []string{"flask", "db", "upgrade"},
		Labels:      StandardLabels("flask", env, "1a2b3c4d"),
	}
	if env == "prod" {
		v.Replicas = 2
		v.Host = "conduit.example.com"
		v.Vars = nil
		v.Image = "registry.example.com/acme/flask:v1.2.3"
		v.Version = "v1.2.3"
		v.Labels = StandardLabels("flask", env, "v1.2.3")
	}
	return v
}

// TestRenderFlaskGolden renders examples/flask/deploy/k8s for dev and prod
// and compares with testdata/flask-<env>.golden (go test -update rewrites them).
func TestRenderFlaskGolden(t *testing.T) {
	fsys := os.DirFS(filepath.Join("..", "..", "examples", "flask"))
	for _, env := range []string{"dev", "prod"} {
		t.Run(env, func(t *testing.T) {
			objs, err := Render(fsys, "deploy/k8s", flaskValues(env))
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			got, err := Marshal(objs)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			golden := filepath.Join("testdata", "flask-"+env+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/manifest -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("rendering differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}
