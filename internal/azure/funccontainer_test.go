package azure

import (
	"context"
	"errors"
	"testing"
)

// TestContainerDeployAndRollback: the deploy reads linuxFxVersion first
// (GET config/web), points the app at the new image (PATCH config/web),
// restarts it; the rollback PATCHes the image it ran before and restarts
// it again.
func TestContainerDeployAndRollback(t *testing.T) {
	restart := step{method: "POST", path: sitePath + "/restart", query: q("api-version", WebAPIVersion, "synchronous", "true"), auth: armAuth}
	f := newFake(t,
		step{method: "GET", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth, body: armConfigWeb},
		step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
			json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:v2@sha256:0123","acrUseManagedIdentityCreds":true}}`, body: armConfigWeb},
		restart,
		siteStep(armSite),
		step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
			json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:1a2b3c4d"}}`, body: armConfigWeb},
		restart,
	)
	c, _ := newARM(f)
	d := &FunctionContainerDeploy{ARM: c, App: testApp, Registry: &RegistryCreds{ManagedIdentity: true}, Restart: true}
	did, err := d.Deploy(context.Background(), "acme.azurecr.io/shop:v2@sha256:0123")
	if err != nil {
		t.Fatal(err)
	}
	if did.Previous != "DOCKER|acme.azurecr.io/shop:1a2b3c4d" || did.Site.DefaultHostName == "" {
		t.Errorf("deployed %+v", did)
	}
	if err := d.Rollback(context.Background(), did); err != nil {
		t.Fatal(err)
	}
}

func TestContainerRollbackWithoutAnImageBefore(t *testing.T) {
	d := &FunctionContainerDeploy{App: testApp}
	if err := d.Rollback(context.Background(), ContainerDeployed{Previous: "Python|3.11"}); !errors.Is(err, ErrNoRollback) {
		t.Errorf("Rollback: %v", err)
	}
}

// TestARMWritesAreTriedAgain: ARM's 429 (throttled) and 503 say the write
// was not carried out; onepipe's writes are whole documents (PATCH/PUT) or
// repeatable actions, so they are sent again after Retry-After
// (Azure/azure-resource-manager-rpc v1.0/common-api-details.md; ARM
// throttling: learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling).
func TestARMWritesAreTriedAgain(t *testing.T) {
	patch := step{method: "PATCH", path: sitePath + "/config/web", query: apiVersion(), auth: armAuth,
		json: `{"properties":{"linuxFxVersion":"DOCKER|acme.azurecr.io/shop:1"}}`, body: armConfigWeb}
	busy, throttled := patch, patch
	busy.status, busy.headers = 503, map[string]string{"Retry-After": "0"}
	throttled.status, throttled.headers, throttled.body = 429, map[string]string{"Retry-After": "0"}, `{"error":{"code":"TooManyRequests","message":"throttled"}}`
	f := newFake(t, busy, throttled, patch)
	c, _ := newARM(f)
	if err := c.SetContainerImage(context.Background(), testApp, "acme.azurecr.io/shop:1", nil); err != nil {
		t.Fatal(err)
	}
}

// TestKuduPublishConflict: a 409 says why in Kudu's words and what to do.
func TestKuduPublishConflict(t *testing.T) {
	f := newFake(t, step{method: "POST", path: "/api/publish", query: q("RemoteBuild", "false", "Deployer", Deployer), auth: "Bearer " + kuduToken,
		header: map[string]string{"Content-Type": "application/zip"}, raw: zipBytes, status: 409, body: kuduInProgress})
	_, err := newKudu(f).Publish(context.Background(), bytesReader(zipBytes))
	mustContain(t, err, "publish to ", "409 Conflict", "There is a deployment currently in progress", "wait for the running deployment")
}
