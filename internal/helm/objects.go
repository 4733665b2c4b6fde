package helm

import (
	"fmt"

	"github.com/onepipe/onepipe/internal/kube"
	"github.com/onepipe/onepipe/internal/manifest"
)

// Objects are what onepipe reads from a release's manifest (ManifestArgs).
type Objects struct {
	// Apps are the app Deployments (not those labelled component:
	// database), in the manifest's order.
	Apps []kube.Workload
	// Hosts are the Ingresses' host names, in order, each once.
	Hosts []string
	// Addressed are the Ingresses and LoadBalancer Services, whose load
	// balancer address kube.AddressArgs reads.
	Addressed []kube.Workload
}

// Inspect reads a release's manifest.
func Inspect(rendered string) (Objects, error) {
	objs, err := manifest.Parse("helm get manifest", []byte(rendered))
	if err != nil {
		return Objects{}, fmt.Errorf("read the release's objects: %w", err)
	}
	var out Objects
	seen := map[string]bool{}
	for _, o := range objs {
		switch {
		case o.Kind == "Deployment" && kube.PhaseOf(o) == kube.PhaseApp:
			out.Apps = append(out.Apps, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
		case o.Kind == "Ingress":
			out.Addressed = append(out.Addressed, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
			rules, _ := nested(o.Raw, "spec", "rules").([]any)
			for _, r := range rules {
				rule, _ := r.(map[string]any)
				if h, _ := rule["host"].(string); h != "" && !seen[h] {
					seen[h] = true
					out.Hosts = append(out.Hosts, h)
				}
			}
		case o.Kind == "Service" && nested(o.Raw, "spec", "type") == "LoadBalancer":
			out.Addressed = append(out.Addressed, kube.Workload{Kind: o.Kind, Name: o.Metadata.Name})
		}
	}
	return out, nil
}

func nested(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}
