package azure

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onepipe/onepipe/internal/config"
)

const planPath = "/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/serverfarms/shop-plan"

// siteJSON is a Microsoft.Web/sites answer (the shape of the 2023-12-01
// examples in Azure/azure-rest-api-specs, e.g.
// specification/web/resource-manager/Microsoft.Web/stable/2023-12-01/examples/CreateOrUpdateFunctionAppFlexConsumption.json)
// with the scm host of the fake scm site; extra is spliced into properties.
func siteJSON(scmHost, kind, extra string) string {
	return fmt.Sprintf(`{"id":"/subscriptions/sub-1/resourceGroups/rg-shop/providers/Microsoft.Web/sites/shop-func","name":"shop-func","type":"Microsoft.Web/sites","kind":%q,
		"properties":{"state":"Running","defaultHostName":"shop-func.azurewebsites.net","serverFarmId":%q,
		"hostNameSslStates":[{"name":"shop-func.azurewebsites.net","hostType":"Standard"},{"name":%q,"hostType":"Repository"}]%s}}`,
		kind, planPath, scmHost, extra)
}

func siteStep(body string) step {
	return step{method: "GET", path: sitePath, query: apiVersion(), auth: armAuth, body: body}
}

func settingsListStep(settings map[string]string) step {
	b, _ := json.Marshal(map[string]any{"properties": settings})
	return step{method: "POST", path: sitePath + "/config/appsettings/list", query: apiVersion(), auth: armAuth, body: string(b)}
}

func settingsPutStep(settings map[string]string) step {
	b, _ := json.Marshal(map[string]any{"properties": settings})
	return step{method: "PUT", path: sitePath + "/config/appsettings", query: apiVersion(), auth: armAuth, json: string(b), body: string(b)}
}

func newZipDeploy(armFake, scm *fake) *FunctionZipDeploy {
	c, _ := newARM(armFake)
	d := &FunctionZipDeploy{ARM: c, App: testApp, PollInterval: time.Millisecond}
	if scm != nil {
		d.HTTP = scm.srv.Client()
	}
	return d
}

var publishStatus = q("deployer", Deployer, "time", "2025-01-01_10-00-00Z")

// TestZipDeployFlexConsumptionPublishes: Flex Consumption has no
// /api/zipdeploy; az sends the package to /api/publish there
// (azure-cli src/azure-cli/azure/cli/command_modules/appservice/custom.py,
// enable_zip_deploy_flex: POST scm_url + '/api/publish?RemoteBuild={}&Deployer=az_cli'
// with Content-Type application/zip, then polls /api/deployments/latest).
// The site says its plan in properties.sku (az's is_flex_functionapp reads
// it there); no app setting is touched.
func TestZipDeployFlexConsumptionPublishes(t *testing.T) {
	scm := newFakeTLS(t,
		step{method: "POST", path: "/api/publish", query: q("RemoteBuild", "false", "Deployer", Deployer), auth: armAuth,
			header: map[string]string{"Content-Type": "application/zip"}, raw: zipBytes,
			status: 202, headers: map[string]string{"Location": "{server}/api/deployments/latest?deployer=onepipe&time=2025-01-01_10-00-00Z"}},
		step{method: "GET", path: "/api/deployments/latest", query: publishStatus, auth: armAuth, status: 202, body: kuduBuilding},
		step{method: "GET", path: "/api/deployments/latest", query: publishStatus, auth: armAuth, body: kuduSuccess},
	)
	f := newFake(t, siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"sku":"FlexConsumption","functionAppConfig":{"runtime":{"name":"python","version":"3.11"}}`)))
	var log bytes.Buffer
	d := newZipDeploy(f, scm)
	d.Log = &log
	did, err := d.Deploy(context.Background(), zipBytes)
	if err != nil {
		t.Fatal(err)
	}
	if did.Upload != UploadPublish || did.Hosting.String() != "Flex Consumption" || did.Deployment.Status != DeploySuccess {
		t.Errorf("deployed %+v", did)
	}
	if !did.Site.Flex || did.Site.Runtime != "python" || did.Site.RuntimeVersion != "3.11" {
		t.Errorf("site %+v", did.Site)
	}
	if want := "azure function shop-func: hosting plan Flex Consumption: POST /api/publish?RemoteBuild=false (one deploy)\n"; log.String() != want {
		t.Errorf("log %q", log.String())
	}
	err = d.Rollback(context.Background(), did)
	if !errors.Is(err, ErrNoRollback) {
		t.Errorf("Rollback on Flex: %v", err)
	}
}

// TestZipDeployFlexWithoutSKU: answers that lack properties.sku still tell
// a Flex Consumption app by its functionAppConfig, which only Flex apps
// have (the 2023-12-01 example above has no sku).
func TestZipDeployFlexWithoutSKU(t *testing.T) {
	scm := newFakeTLS(t,
		step{method: "POST", path: "/api/publish", query: q("RemoteBuild", "false", "Deployer", Deployer), auth: armAuth, raw: zipBytes, status: 200},
	)
	f := newFake(t, siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"reserved":null,"functionAppConfig":{"runtime":{"name":"python","version":"3.12"}}`)))
	did, err := newZipDeploy(f, scm).Deploy(context.Background(), zipBytes)
	if err != nil || did.Upload != UploadPublish {
		t.Fatalf("deployed %+v, %v", did, err)
	}
}

// TestZipDeployDedicatedLinux: on an App Service plan (here read from the
// serverFarm, whose sku.tier az reads in is_plan_consumption) a Linux app
// gets SCM_DO_BUILD_DURING_DEPLOYMENT=false before the zip deploy, as az's
// remove_remote_build_app_settings sets it, and the upload waits until the
// scm site shows it (az's validate_app_settings_in_scm reads /api/settings).
// Then POST /api/zipdeploy?isAsync=true (az's enable_zip_deploy).
func TestZipDeployDedicatedLinux(t *testing.T) {
	settings := map[string]string{"FUNCTIONS_WORKER_RUNTIME": "python", "AzureWebJobsStorage": storageConn("https://shopstore.blob.core.windows.net")}
	withFalse := map[string]string{SettingBuildOnDeploy: "false"}
	for k, v := range settings {
		withFalse[k] = v
	}
	scm := newFakeTLS(t,
		step{method: "GET", path: "/api/settings", auth: armAuth, body: `{"SCM_DO_BUILD_DURING_DEPLOYMENT":"true"}`},
		step{method: "GET", path: "/api/settings", auth: armAuth, body: `{"SCM_DO_BUILD_DURING_DEPLOYMENT":"false","WEBSITE_SITE_NAME":"shop-func"}`},
		zipdeployStepAuth(armAuth, 202, map[string]string{"Location": "{server}/api/deployments/latest?deployer=Push-Deployer&time=2024-05-01_10-00-00Z"}),
		step{method: "GET", path: "/api/deployments/latest", query: statusQuery, auth: armAuth, body: kuduSuccess},
	)
	f := newFake(t,
		siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"reserved":true`)),
		step{method: "GET", path: planPath, query: apiVersion(), auth: armAuth,
			body: `{"id":"` + planPath + `","name":"shop-plan","type":"Microsoft.Web/serverfarms","kind":"linux","properties":{"status":"Ready","reserved":true},"sku":{"name":"P1v3","tier":"PremiumV3","size":"P1v3","family":"Pv3","capacity":1}}`},
		settingsListStep(settings),
		settingsPutStep(withFalse),
	)
	did, err := newZipDeploy(f, scm).Deploy(context.Background(), zipBytes)
	if err != nil {
		t.Fatal(err)
	}
	if did.Upload != UploadZipDeploy || did.Hosting.String() != "App Service plan PremiumV3 (Linux)" {
		t.Errorf("deployed %+v", did)
	}
}

func zipdeployStepAuth(auth string, status int, headers map[string]string) step {
	s := zipdeployStep(status, headers, "")
	s.auth = auth
	return s
}

// TestZipDeployKeepsASettingAlreadyFalse: nothing is written when the app
// builds nothing on deploy already (az only sets the setting when it is
// missing or true).
func TestZipDeployKeepsASettingAlreadyFalse(t *testing.T) {
	scm := newFakeTLS(t, zipdeployStepAuth(armAuth, 200, nil))
	f := newFake(t,
		siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"sku":"ElasticPremium"`)),
		settingsListStep(map[string]string{SettingBuildOnDeploy: "false", SettingRunFromPackage: "1"}),
	)
	var log bytes.Buffer
	d := newZipDeploy(f, scm)
	d.Log = &log
	did, err := d.Deploy(context.Background(), zipBytes)
	if err != nil || did.Hosting.Setting() != config.HostingPremium {
		t.Fatalf("deployed %+v, %v", did, err)
	}
	if strings.Contains(log.String(), "SCM_DO_BUILD_DURING_DEPLOYMENT=false (") {
		t.Errorf("log %q", log.String())
	}
}

// TestZipDeployRefusesARunFromPackageURL: Kudu refuses a zip deploy with
// 409 when WEBSITE_RUN_FROM_PACKAGE holds a URL (KuduLite
// Kudu.Core/Deployment/FetchDeploymentManager.cs: RunFromRemoteZip ->
// ConflictRunFromRemoteZipConfigured, "Run-From-Zip is set to a remote URL
// ... Deployment is not supported in this configuration"): onepipe says so
// before it uploads anything.
func TestZipDeployRefusesARunFromPackageURL(t *testing.T) {
	scm := newFakeTLS(t)
	f := newFake(t,
		siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"sku":"PremiumV3"`)),
		settingsListStep(map[string]string{SettingRunFromPackage: "https://shopstore.blob.core.windows.net/function-releases/old.zip?sv=2019-12-12&sig=c2VjcmV0LXNpZw%3D%3D"}),
	)
	_, err := newZipDeploy(f, scm).Deploy(context.Background(), zipBytes)
	mustContain(t, err, "deploy to rg-shop/shop-func: WEBSITE_RUN_FROM_PACKAGE holds a package URL, and Kudu refuses a zip deploy then (409): delete the setting (or set it to 1) and run again")
	mustNotLeak(t, err, "c2VjcmV0LXNpZw")
}

func TestZipDeployChecksTheHostingPlan(t *testing.T) {
	f := newFake(t, siteStep(siteJSON("shop-func.scm.azurewebsites.net", "functionapp,linux", `,"sku":"Dynamic","reserved":true`)))
	d := newZipDeploy(f, nil)
	d.Expect = config.HostingFlexConsumption
	_, err := d.Deploy(context.Background(), zipBytes)
	want := "azure.functionZip.hostingPlan is flexConsumption, but rg-shop/shop-func runs on Linux Consumption: set it to consumption (or leave it out)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}

// TestZipDeployWaitsOutThrottling: ARM answers 429 with a Retry-After when
// it throttles (an HTTP date here); the write is tried again after it,
// within the deploy's timeout.
func TestZipDeployWaitsOutThrottling(t *testing.T) {
	scm := newFakeTLS(t, zipdeployStepAuth(armAuth, 200, nil))
	put := settingsPutStep(map[string]string{SettingBuildOnDeploy: "false"})
	throttled := put
	throttled.status, throttled.body = 429, `{"error":{"code":"TooManyRequests","message":"The request is being throttled."}}`
	throttled.headers = map[string]string{"Retry-After": time.Now().Add(-time.Second).UTC().Format(http.TimeFormat)}
	f := newFake(t,
		siteStep(siteJSON(scm.Host(), "functionapp,linux", `,"sku":"PremiumV3"`)),
		settingsListStep(map[string]string{}),
		throttled,
		put,
	)
	scm.steps = append([]step{{method: "GET", path: "/api/settings", auth: armAuth, body: `{"SCM_DO_BUILD_DURING_DEPLOYMENT":"false"}`}}, scm.steps...)
	if _, err := newZipDeploy(f, scm).Deploy(context.Background(), zipBytes); err != nil {
		t.Fatal(err)
	}
}

// TestZipDeployRetryAfterPastTheTimeout: a wait Azure asks for that ends
// after the deploy's timeout is not begun; the error says so at once.
func TestZipDeployRetryAfterPastTheTimeout(t *testing.T) {
	f := newFake(t, step{method: "GET", path: sitePath, query: apiVersion(), auth: armAuth, status: 429,
		headers: map[string]string{"Retry-After": "3600"}, body: `{"error":{"code":"TooManyRequests","message":"throttled"}}`})
	d := newZipDeploy(f, nil)
	d.Timeout = 2 * time.Second
	start := time.Now()
	_, err := d.Deploy(context.Background(), zipBytes)
	mustContain(t, err, "429 Too Many Requests", "the service asks to be tried again in 1h0m0s, only 2s are left before the deadline")
	if time.Since(start) > time.Second {
		t.Errorf("waited %s", time.Since(start))
	}
}

// blobServer is a fake Blob service that checks Shared Key signatures the
// way the service documents them ("Authorize with Shared Key",
// learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key),
// written here independently of Blobs.
type blobServer struct {
	t        *testing.T
	account  string
	key      []byte
	mu       sync.Mutex
	requests []string
	blobs    map[string][]byte
	srv      *httptest.Server
}

func newBlobServer(t *testing.T) *blobServer {
	b := &blobServer{t: t, account: "shopstore", key: []byte("storage-key-value"), blobs: map[string][]byte{}}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *blobServer) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	b.requests = append(b.requests, r.Method+" "+r.URL.RequestURI())
	if r.Header.Get("x-ms-version") != StorageVersion || r.Header.Get("x-ms-date") == "" {
		b.t.Errorf("%s %s: x-ms-version %q, x-ms-date %q", r.Method, r.URL, r.Header.Get("x-ms-version"), r.Header.Get("x-ms-date"))
	}
	length := r.Header.Get("Content-Length")
	if length == "0" {
		length = ""
	}
	var xms []string
	for k, v := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			xms = append(xms, lk+":"+strings.Join(v, ","))
		}
	}
	sort.Strings(xms)
	res := "/" + b.account + r.URL.EscapedPath()
	qs := r.URL.Query()
	names := make([]string, 0, len(qs))
	for k := range qs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		res += "\n" + strings.ToLower(k) + ":" + strings.Join(qs[k], ",")
	}
	toSign := r.Method + "\n" + r.Header.Get("Content-Encoding") + "\n" + r.Header.Get("Content-Language") + "\n" + length + "\n" +
		r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n\n" + r.Header.Get("If-Modified-Since") + "\n" +
		r.Header.Get("If-Match") + "\n" + r.Header.Get("If-None-Match") + "\n" + r.Header.Get("If-Unmodified-Since") + "\n" +
		r.Header.Get("Range") + "\n" + strings.Join(xms, "\n") + "\n" + res
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(toSign))
	if want := "SharedKey " + b.account + ":" + base64.StdEncoding.EncodeToString(m.Sum(nil)); r.Header.Get("Authorization") != want {
		b.t.Errorf("%s %s: Authorization %q, want %q (string to sign %q)", r.Method, r.URL, r.Header.Get("Authorization"), want, toSign)
		w.Header().Set("x-ms-error-code", "AuthenticationFailed")
		w.WriteHeader(403)
		return
	}
	switch {
	case r.Method == http.MethodPut && r.URL.Query().Get("restype") == "container":
		w.Header().Set("x-ms-error-code", "ContainerAlreadyExists")
		w.WriteHeader(409) // it exists: fine
	case r.Method == http.MethodPut:
		sum := md5.Sum(body)
		if r.Header.Get("x-ms-blob-type") != "BlockBlob" || r.Header.Get("Content-MD5") != base64.StdEncoding.EncodeToString(sum[:]) {
			b.t.Errorf("Put Blob: blob type %q, Content-MD5 %q", r.Header.Get("x-ms-blob-type"), r.Header.Get("Content-MD5"))
		}
		b.blobs[r.URL.Path] = body
		w.WriteHeader(201)
	default:
		w.WriteHeader(400)
	}
}

func storageConn(blobEndpoint string) string {
	return "DefaultEndpointsProtocol=https;AccountName=shopstore;AccountKey=" + base64.StdEncoding.EncodeToString([]byte("storage-key-value")) +
		";EndpointSuffix=core.windows.net;BlobEndpoint=" + blobEndpoint
}

// TestZipDeployLinuxConsumptionRunsFromPackage: on Linux Consumption az
// uploads the package to the app's storage account (AzureWebJobsStorage,
// container function-releases, blob YYYYmmddHHMMSS-<uuid>.zip, Content-MD5
// checked), sets WEBSITE_RUN_FROM_PACKAGE to the blob's URL with a read SAS
// and syncs the triggers (azure-cli appservice/custom.py,
// upload_zip_to_storage); Rollback puts the previous URL back.
func TestZipDeployLinuxConsumptionRunsFromPackage(t *testing.T) {
	blobs := newBlobServer(t)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	previous := "https://shopstore.blob.core.windows.net/function-releases/20241201000000-old.zip?sv=2019-12-12&sr=b&sp=r&sig=b2xkLXNpZw%3D%3D"
	settings := map[string]string{"AzureWebJobsStorage": storageConn(blobs.srv.URL), SettingRunFromPackage: previous}

	var putBody map[string]map[string]string
	armSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != armAuth || r.URL.Query().Get("api-version") != WebAPIVersion {
			t.Errorf("%s %s: auth %q", r.Method, r.URL, r.Header.Get("Authorization"))
		}
		switch r.Method + " " + r.URL.Path {
		case "GET " + sitePath:
			io.WriteString(w, siteJSON("shop-func.scm.azurewebsites.net", "functionapp,linux", ""))
		case "GET " + planPath:
			io.WriteString(w, `{"kind":"functionapp","sku":{"name":"Y1","tier":"Dynamic"},"properties":{"reserved":true}}`)
		case "POST " + sitePath + "/config/appsettings/list":
			json.NewEncoder(w).Encode(map[string]any{"properties": settings})
		case "PUT " + sitePath + "/config/appsettings":
			putBody = nil
			json.NewDecoder(r.Body).Decode(&putBody)
			settings = putBody["properties"]
			json.NewEncoder(w).Encode(putBody)
		case "POST " + sitePath + "/syncfunctiontriggers":
			w.WriteHeader(200)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(400)
		}
	}))
	defer armSrv.Close()
	d := &FunctionZipDeploy{ARM: &ARM{BaseURL: armSrv.URL, Tokens: &tokens{token: armToken}}, App: testApp, Now: func() time.Time { return now }}
	did, err := d.Deploy(context.Background(), zipBytes)
	if err != nil {
		t.Fatal(err)
	}
	if did.Upload != UploadRunFromPackage || did.Hosting.String() != "Linux Consumption" || !strings.HasPrefix(did.Blob, "function-releases/20250102030405-") {
		t.Errorf("deployed %+v", did)
	}
	if len(blobs.blobs) != 1 || !bytes.Equal(blobs.blobs["/"+did.Blob], zipBytes) {
		t.Errorf("blobs %v, requests %v", blobs.blobs, blobs.requests)
	}
	if want := "PUT /function-releases?restype=container"; len(blobs.requests) != 2 || blobs.requests[0] != want {
		t.Errorf("storage requests %v", blobs.requests)
	}
	link, err := url.Parse(settings[SettingRunFromPackage])
	if err != nil || link.Scheme+"://"+link.Host+link.Path != blobs.srv.URL+"/"+did.Blob {
		t.Fatalf("WEBSITE_RUN_FROM_PACKAGE = %q", settings[SettingRunFromPackage])
	}
	// The read SAS, checked as "Create a service SAS" (version 2018-11-09
	// and later) defines its string to sign.
	sas := link.Query()
	st, se := sas.Get("st"), sas.Get("se")
	if sas.Get("sv") != StorageVersion || sas.Get("sr") != "b" || sas.Get("sp") != "r" || sas.Get("spr") != "https" ||
		st != "2025-01-02T02:54:05Z" || se != now.Add(520*7*24*time.Hour).Format(time.RFC3339) {
		t.Errorf("SAS %v", sas)
	}
	m := hmac.New(sha256.New, []byte("storage-key-value"))
	m.Write([]byte("r\n" + st + "\n" + se + "\n/blob/shopstore/" + did.Blob + "\n\n\nhttps\n" + StorageVersion + "\nb\n\n\n\n\n\n"))
	if sas.Get("sig") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		t.Errorf("SAS signature %q does not verify", sas.Get("sig"))
	}
	if settings["AzureWebJobsStorage"] == "" {
		t.Error("the other settings were dropped")
	}

	if err := d.Rollback(context.Background(), did); err != nil {
		t.Fatal(err)
	}
	if settings[SettingRunFromPackage] != previous {
		t.Errorf("after the rollback WEBSITE_RUN_FROM_PACKAGE = %q", settings[SettingRunFromPackage])
	}
}

func TestZipDeployLinuxConsumptionWithoutAConnectionString(t *testing.T) {
	f := newFake(t,
		siteStep(siteJSON("shop-func.scm.azurewebsites.net", "functionapp,linux", `,"sku":"Dynamic"`)),
		settingsListStep(map[string]string{"AzureWebJobsStorage__accountName": "shopstore"}),
	)
	_, err := newZipDeploy(f, nil).Deploy(context.Background(), zipBytes)
	mustContain(t, err, "a Linux Consumption app runs its package from its storage account, and the app has no AzureWebJobsStorage connection string")
}

func TestParseStorageConnectionString(t *testing.T) {
	key := base64.StdEncoding.EncodeToString([]byte("k3y-value"))
	for _, c := range []struct{ in, endpoint, err string }{
		{"DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=" + key + ";EndpointSuffix=core.windows.net", "https://shop.blob.core.windows.net", ""},
		{"AccountName=shop;AccountKey=" + key + ";EndpointSuffix=core.chinacloudapi.cn", "https://shop.blob.core.chinacloudapi.cn", ""},
		{"AccountName=shop;AccountKey=" + key + ";BlobEndpoint=https://shop.blob.example/", "https://shop.blob.example", ""},
		{"UseDevelopmentStorage=true", "", "the local emulator"},
		{"AccountName=shop", "", "no AccountName and AccountKey"},
		{"AccountName=shop;AccountKey=not base64!", "", "AccountKey is not base64"},
	} {
		a, err := ParseStorageConnectionString(c.in)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.in, err, c.err)
			}
			mustNotLeak(t, err, "not base64!")
		case err != nil || a.BlobEndpoint != c.endpoint || a.Name != "shop":
			t.Errorf("%q: %+v, %v", c.in, a, err)
		}
	}
}
