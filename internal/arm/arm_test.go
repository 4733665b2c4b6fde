package arm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSendAcceptsOnlyOK(t *testing.T) {
	s := newServer(t, answer{status: http.StatusAccepted})
	if _, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPost, URL: s.URL}); err != nil {
		t.Errorf("202 with no OK list: %v", err)
	}
	_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPost, URL: s.URL, OK: []int{http.StatusOK}})
	if StatusOf(err) != http.StatusAccepted {
		t.Errorf("202 with OK [200]: %v, want an *APIError", err)
	}
}

func TestSendSendsTheRequest(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
	}))
	defer srv.Close()
	_, err := Send(context.Background(), srv.Client(), Request{Service: "svc", Method: http.MethodPatch, URL: srv.URL + "/a?api-version=1",
		Header: Bearer("tok-123"), Body: []byte(`{"a":1}`), ContentType: "application/json"})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Authorization": "Bearer tok-123", "Content-Type": "application/json", "Accept": "application/json"} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("header %s = %q, want %q", k, v, want)
		}
	}
	if got.Method != http.MethodPatch || got.URL.RawQuery != "api-version=1" || body != `{"a":1}` {
		t.Errorf("request %s %s body %q", got.Method, got.URL, body)
	}
}

func TestErrorBodies(t *testing.T) {
	long := strings.Repeat("é", 300) // 600 bytes
	tests := []struct {
		name   string
		answer answer
		code   string
		msg    string
	}{
		{"ARM, wrapped message", answer{status: 403, body: `{"error":{"code":"AuthorizationFailed","message":"The client 'x' does not have authorization\nto  perform action."}}`},
			"AuthorizationFailed", "The client 'x' does not have authorization to perform action."},
		{"Entra, trace lines dropped", answer{status: 401, body: `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 1b2c\r\nCorrelation ID: 3d4e"}`},
			"invalid_client", "AADSTS7000215: Invalid client secret provided."},
		{"Azure DevOps", answer{status: 404, body: `{"$id":"1","message":"Pipeline with id 99 not found.","typeKey":"PipelineNotFoundException"}`},
			"PipelineNotFoundException", "Pipeline with id 99 not found."},
		{"App Service", answer{status: 409, body: `{"Code":"Conflict","Message":"Cannot modify this site."}`}, "Conflict", "Cannot modify this site."},
		{"plain text", answer{status: 409, body: "There is a deployment in progress.\nTry again later."}, "", "There is a deployment in progress."},
		{"HTML page", answer{status: 403, body: "<!DOCTYPE html><html><body>Forbidden</body></html>"}, "", ""},
		{"header", answer{status: 401, header: map[string]string{"X-TFS-ServiceError": "Access%20Denied%3A%20expired."}}, "", "Access Denied: expired."},
		{"long", answer{status: 400, body: `{"error":{"code":"Bad","message":"` + long + `"}}`}, "Bad", strings.Repeat("é", 200) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.answer)
			_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPost, URL: s.URL + "/p?key=v"})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err %v is not an *APIError", err)
			}
			want := APIError{Service: "svc", Method: http.MethodPost, URL: s.URL + "/p", Status: tt.answer.status, Code: tt.code, Message: tt.msg}
			if *ae != want {
				t.Errorf("error\n got %#v\nwant %#v", *ae, want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error text is not one line: %q", err)
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &APIError{Service: Service, Method: "PUT", URL: "https://management.azure.com/x", Status: 409, Code: "Conflict", Message: "busy"}
	if want := "Azure Resource Manager: PUT https://management.azure.com/x: 409 Conflict: Conflict: busy"; e.Error() != want {
		t.Errorf("got %s\nwant %s", e, want)
	}
	e.Code, e.Message = "", ""
	if want := "Azure Resource Manager: PUT https://management.azure.com/x: 409 Conflict"; e.Error() != want {
		t.Errorf("got %s\nwant %s", e, want)
	}
	if StatusOf(errors.New("x")) != 0 || StatusOf(nil) != 0 || StatusOf(wrap(e)) != 409 {
		t.Error("StatusOf")
	}
}

func wrap(err error) error { return errors.Join(errors.New("context"), err) }

func TestSecretsAreRedacted(t *testing.T) {
	const token, password = "tok-secret-123", "pa55-word!"
	s := newServer(t, answer{status: http.StatusBadRequest,
		body: `{"error":{"code":"Bad ` + password + `","message":"token ` + token + ` and password ` + password + ` echoed"}}`})
	_, err := Send(context.Background(), s.Client(), Request{Service: "svc", Method: http.MethodPost,
		URL: strings.Replace(s.URL, "http://", "http://user:"+password+"@", 1) + "/p?code=" + token, Header: Bearer(token), Secrets: []string{token, password, "abc"}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, secret := range []string{token, password} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error leaks %q: %v", secret, err)
		}
	}
	if want := "svc: POST " + s.URL + "/p: 400 Bad Request: Bad ***: token *** and password *** echoed"; err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}

func TestTransportErrorIsRedactedAndWrapped(t *testing.T) {
	const secret = "s3cr3t-in-a-transport-error"
	failing := &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("proxy refused " + secret)
	})}
	_, err := Send(context.Background(), failing, Request{Service: "svc", Method: http.MethodPost, URL: "https://example.test/p?key=" + secret, Secrets: []string{secret}})
	if want := "svc: POST https://example.test/p: proxy refused ***"; err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Send(ctx, http.DefaultClient, Request{Service: "svc", Method: http.MethodGet, URL: "https://example.test/p?key=abcd"})
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "key=") {
		t.Errorf("error %v: want one wrapping context.Canceled, without the query string", err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOneLine(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"  a\n b\r\n\tc  ", 100, "a b c"},
		{"abcdef", 3, "abc…"},
		{"abc", 3, "abc"},
		{"aé", 2, "a…"}, // é is two bytes: no half character
	} {
		if got := OneLine(tt.in, tt.n); got != tt.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestCleanURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:p@example.test/a/b?sig=x#frag": "https://example.test/a/b",
		"https://example.test/a%20b?x=1":          "https://example.test/a%20b",
		"http://bad host/x?sig=secret":            "http://bad host/x",
		"https://example.test/plain":              "https://example.test/plain",
	} {
		if got := CleanURL(in); got != want {
			t.Errorf("CleanURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("key abcd and abc and abcd", "abcd", "abc", ""); got != "key *** and abc and ***" {
		t.Errorf("Redact = %q", got)
	}
}

// TestSendWaitsAsAsked checks that Send waits what the answer asks (much

// less than its one-second default backoff) in each form.

// TestSendStopsWhenTheWaitPassesTheDeadline checks that a requested wait

// longer than the time left ends at once with one error saying so.

// TestSendDefaultBackoffPastTheDeadline checks that the default backoff is

// not begun when it would end after the deadline: the last answer comes back

// at once, as it did when the deadline cut the backoff short.
