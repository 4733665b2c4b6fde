package pipeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"dagger.io/dagger"

	"github.com/onepipe/onepipe/internal/config"
	"github.com/onepipe/onepipe/internal/kube"
)

// clusterSmoke is what the smoke checks of a release on a Kubernetes
// cluster need, whichever target deployed it (manifests or a Helm chart).
type clusterSmoke struct {
	// Deploy gives the checks, the app's port, deploy.smokeEnv and the
	// migration the smoke service runs first.
	Deploy config.Deploy
	// Vars and Secrets are the environment's, as the app gets them.
	Vars    map[string]string
	Secrets map[string]*dagger.Secret
	// Namespace and App (deployment/NAME, "" when there is none) are
	// port-forwarded to on a real local node.
	Namespace, App string
	// Host is the ingress host; Addresses the load balancer addresses read
	// after the deploy.
	Host      string
	Addresses []string
	// Timeout bounds the checks.
	Timeout time.Duration
}

// runClusterSmoke runs the checks against the app: on a simulated cluster
// the app's image as a Dagger service reached through a tunnel, on a real
// local node the pods through kubectl port-forward, elsewhere the load
// balancer's address (with the ingress host) or the ingress host itself.
func runClusterSmoke(ctx context.Context, to Destination, s clusterSmoke) ([]kube.SmokeResult, error) {
	cl, log := to.Cluster, to.log()
	sm := &kube.Smoker{Timeout: s.Timeout}
	var base string
	var svc *dagger.Service // reached through a tunnel from this machine
	var what, via string
	switch {
	case cl.Simulated:
		if to.Pipeline == nil {
			return nil, errors.New("no app image to smoke-test on the simulated cluster")
		}
		vars := map[string]string{}
		maps.Copy(vars, s.Vars)
		maps.Copy(vars, s.Deploy.SmokeEnv)
		app := to.Pipeline.SmokeApp(SmokeEnv{Port: s.Deploy.Port, Vars: vars, Secrets: s.Secrets, Migration: s.Deploy.Migration},
			strconv.FormatInt(time.Now().UnixNano(), 36))
		svc, what, via = app, "the app's image", "as a service (the local cluster runs no containers)"
	case cl.PortForward:
		if s.App == "" || s.Deploy.Port == 0 {
			return nil, errors.New("no app Deployment and port to smoke-test through kubectl port-forward")
		}
		const local = 8080
		svc = cl.Kubectl().WithExposedPort(local).AsService(dagger.ContainerAsServiceOpts{Args: []string{
			"kubectl", "port-forward", "--address=0.0.0.0", "--namespace=" + s.Namespace,
			s.App, fmt.Sprintf("%d:%d", local, s.Deploy.Port)}})
		what, via = "the pods of "+s.App, "through kubectl port-forward"
	case len(s.Addresses) > 0:
		base, sm.Host = "http://"+s.Addresses[0], s.Host
	case s.Host != "":
		base = "http://" + s.Host
	default:
		return nil, errors.New("no address to smoke-test: the release has no Ingress or LoadBalancer Service with an address")
	}
	if svc != nil {
		tunnel, err := to.Dag.Host().Tunnel(svc).Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("start %s for the smoke checks: %w", what, Explain(err))
		}
		defer tunnel.Stop(context.WithoutCancel(ctx))
		if base, err = tunnel.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"}); err != nil {
			return nil, fmt.Errorf("reach %s for the smoke checks: %w", what, Explain(err))
		}
		fmt.Fprintf(log, "deploy: smoke checks against %s %s, %s\n", what, via, base)
	}
	results, err := sm.Run(ctx, base, s.Deploy.Smoke)
	for _, res := range results {
		fmt.Fprintf(log, "  %s\n", res)
	}
	return results, err
}
