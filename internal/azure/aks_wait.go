package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/onepipe/onepipe/internal/arm"
)

// wait polls the cluster until its provisioning state is Succeeded.
func (a *AKS) wait(ctx context.Context, r Ready, timeout time.Duration) (Ready, error) {
	every := a.PollEvery
	if every <= 0 {
		every = DefaultPollEvery
	}
	for {
		switch st := r.Cluster.Properties.ProvisioningState; st {
		case "Succeeded":
			return r, nil
		case "Failed", "Canceled":
			return r, fmt.Errorf("aks cluster %s: provisioning state %s: see the resource group's activity log in the Azure portal", a.Name, st)
		}
		if err := arm.Sleep(ctx, every); err != nil {
			return r, fmt.Errorf("aks cluster %s not ready after %s (provisioning state %s): raise cluster.timeout or look in the Azure portal",
				a.Name, timeout, orUnknown(r.Cluster.Properties.ProvisioningState))
		}
		var mc ManagedCluster
		err := a.call(ctx, http.MethodGet, a.clusterPath(), AKSAPIVersion, nil, &mc, http.StatusOK)
		if err != nil {
			if arm.Transient(arm.StatusOf(err)) || (arm.StatusOf(err) == 0 && ctx.Err() != nil) {
				continue // the loop's sleep reports the timeout
			}
			return r, fmt.Errorf("aks cluster %s: %w", a.Name, err)
		}
		r.Cluster = mc
	}
}

// waitOperation follows the Azure-AsyncOperation URL the create answered
// with until the operation ends, the way ARM's asynchronous operations are
// meant to be followed (Azure/azure-resource-manager-rpc
// v1.0/async-api-reference.md): GET it, honouring Retry-After, until its
// status is Succeeded, Failed or Canceled; a failed one's error says why.
// The URL must be on the Resource Manager host: the token goes nowhere else.
func (a *AKS) waitOperation(ctx context.Context, op string, timeout time.Duration) error {
	every := a.PollEvery
	if every <= 0 {
		every = DefaultPollEvery
	}
	status := "InProgress"
	for {
		var out struct {
			Status string `json:"status"`
			Error  *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		resp, err := a.ARM.getURL(ctx, op, &out)
		wait := every
		switch {
		case err == nil:
			status = out.Status
			switch strings.ToLower(out.Status) {
			case "succeeded":
				return nil
			case "failed", "canceled":
				msg := fmt.Sprintf("aks cluster %s: the create operation %s", a.Name, strings.ToLower(out.Status))
				if out.Error != nil {
					msg += ": " + arm.OneLine(strings.Trim(out.Error.Code+": "+out.Error.Message, ": "), 400)
				}
				return errors.New(msg + ": see the resource group's activity log in the Azure portal")
			}
			if d, ok := arm.RetryAfter(resp.Header, time.Now()); ok {
				wait = d
			}
		case arm.Transient(arm.StatusOf(err)) || (arm.StatusOf(err) == 0 && ctx.Err() != nil):
			// poll again; the sleep below reports the timeout
		default:
			return fmt.Errorf("aks cluster %s: create operation status: %w", a.Name, err)
		}
		if err := arm.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("aks cluster %s not ready after %s (operation status %s): raise cluster.timeout or look in the Azure portal", a.Name, timeout, orUnknown(status))
		}
	}
}
