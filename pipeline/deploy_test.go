package pipeline

import (
	"errors"
	"strings"
	"testing"
)

func TestDeployAddress(t *testing.T) {
	tests := []struct {
		host      string
		lb        []string
		simulated bool
		want      string
		note      string
	}{
		{"shop.example.com", []string{"34.1.2.3"}, false, "http://shop.example.com", "load balancer 34.1.2.3"},
		{"shop.example.com", nil, true, "http://shop.example.com", "the local cluster has no load balancer"},
		{"shop.example.com", nil, false, "http://shop.example.com", "no load balancer address yet"},
		{"", []string{"34.1.2.3", "lb.example.net"}, false, "http://34.1.2.3", ""},
		{"", nil, false, "", "no Ingress or LoadBalancer Service"},
	}
	for _, tt := range tests {
		got, note := address(tt.host, tt.lb, tt.simulated)
		if got != tt.want || !strings.Contains(note, tt.note) || (tt.note == "" && note != "") {
			t.Errorf("address(%q, %v, %v) = %q, %q; want %q, %q", tt.host, tt.lb, tt.simulated, got, note, tt.want, tt.note)
		}
	}
}

func TestDeployErrorIsOneLineWithItsCause(t *testing.T) {
	cause := &CommandError{Cmd: []string{"kubectl", "rollout", "status", "deployment/shop"}, ExitCode: 1, Output: "error: timed out waiting for the condition"}
	err := &DeployError{Message: "deploy to namespace shop-dev failed at \"wait for the rollout of deployment/shop\": rolled deployment/shop back to revision 4", Cause: cause}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "revision 4") || !strings.Contains(msg, "timed out waiting") {
		t.Errorf("message = %q", msg)
	}
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ExitCode != 1 {
		t.Error("the cause is not reachable with errors.As")
	}
}

func TestDeployedAddressLine(t *testing.T) {
	for _, tt := range []struct {
		d    Deployed
		want string
	}{
		{Deployed{Address: "http://shop.example.com", Note: "load balancer 34.1.2.3"}, "http://shop.example.com (load balancer 34.1.2.3)"},
		{Deployed{Address: "http://34.1.2.3"}, "http://34.1.2.3"},
		{Deployed{Note: "no Ingress or LoadBalancer Service"}, "none (no Ingress or LoadBalancer Service)"},
	} {
		if got := tt.d.AddressLine(); got != tt.want {
			t.Errorf("AddressLine() = %q, want %q", got, tt.want)
		}
	}
}
