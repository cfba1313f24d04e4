// ServiceNow: the Application Registry form (oauth_entity.do: Client ID, Client Secret, Default
// Grant type, Authorization URL, Token URL, Token Revocation URL, Redirect URL) and the OAuth
// Entity Scope form (oauth_entity_scope.do: OAuth scope), and a Connection & Credential
// configuration template's form (sys_alias_templates.do), whose Default Data Template (JSON, with
// the Dynamic Data Schema beside it) the core reads as a whole setup: its findings, each saying
// where in the template its value is, are shown under that one field. Fields are found by their labels, as
// ServiceNow writes them: <label for="oauth_entity.client_id"><span class="label-text">Client
// ID</span></label>. In the classic UI the form is in a frame; this script runs in every frame of
// the instance and only the frame that holds the form answers.
//
// An instance holds OAuth registrations for many providers (Microsoft, Google, …), and Atlassian's
// rules would call every one of them wrong. So the form is checked only once something on it says
// Atlassian: an Atlassian endpoint, a name or entity mentioning Atlassian, Confluence or Jira, or
// Atlassian scope names. Until then the extension stays silent.
'use strict';

threelo.site = (() => {
  const { dom } = threelo;

  const FIELDS = [
    { field: 'client_id', label: 'Client ID', names: ['Client ID'] },
    { field: 'client_secret', label: 'Client Secret', names: ['Client Secret'] },
    { field: 'grant_type', label: 'Default Grant type', names: ['Default Grant type', 'Grant type'] },
    { field: 'authorization_url', label: 'Authorization URL', names: ['Authorization URL'] },
    { field: 'token_url', label: 'Token URL', names: ['Token URL'] },
    { field: 'revocation_url', label: 'Token Revocation URL', names: ['Token Revocation URL'] },
    { field: 'redirect_url', label: 'Redirect URL', names: ['Redirect URL'] },
    { field: 'scopes', label: 'OAuth scope', names: ['OAuth scope'] },
  ];

  const ATLASSIAN_HOST = /(^|\.)(atlassian\.com|atlassian\.net|atlassian-us-gov-mod\.com)$/i;
  const ATLASSIAN_WORDS = /atlassian|confluence|jira/i;

  function hostOf(text) {
    try {
      return new URL(String(text).trim()).hostname;
    } catch {
      return '';
    }
  }

  /** Whether the form is about Atlassian (see the top of this file). */
  function isAtlassian(controls, bindings) {
    const value = (field) => bindings.find((binding) => binding.field === field)?.value() ?? '';
    if (['authorization_url', 'token_url', 'revocation_url'].some((field) => ATLASSIAN_HOST.test(hostOf(value(field))))) return true;
    if (ATLASSIAN_WORDS.test(value('scopes'))) return true;
    // The record's name, or on the scope form the OAuth Entity it belongs to.
    return ['Name', 'OAuth Entity', 'OAuth provider'].some((name) => {
      const control = controls.find([name]);
      return control !== null && ATLASSIAN_WORDS.test(dom.valueOf(control));
    });
  }

  const TEMPLATE_LABELS = ['Default Data Template'];
  const SCHEMA_LABELS = ['Dynamic Data Schema'];

  /**
   * A configuration template's form: one binding, the Default Data Template, whose value is what
   * the core's setupFromServiceNow reads (the template and its schema under their own names).
   */
  function readTemplate(controls) {
    const control = controls.find(TEMPLATE_LABELS);
    if (!control) return null;
    const schema = controls.find(SCHEMA_LABELS);
    const value = () => {
      const document = { 'Default Data Template': dom.valueOf(control) };
      const schemaText = schema ? dom.valueOf(schema) : '';
      if (schemaText.trim()) document['Dynamic Data Schema'] = schemaText;
      return JSON.stringify(document);
    };
    // A template for another provider mentions none of Atlassian's hosts or products.
    const named = controls.find(['Name']);
    if (!ATLASSIAN_WORDS.test(dom.valueOf(control)) && !(named && ATLASSIAN_WORDS.test(dom.valueOf(named)))) {
      return { page: 'other-provider', bindings: [] };
    }
    return {
      page: 'template',
      bindings: [{ field: 'template', label: 'Default Data Template', control, where: { afterBox: control }, value, all: true }],
    };
  }

  function read(doc) {
    const controls = dom.indexControls(doc);
    const template = readTemplate(controls);
    if (template) return template;
    const bindings = [];
    for (const { field, label, names } of FIELDS) {
      const control = controls.find(names);
      if (!control) continue;
      bindings.push({ field, label, control, where: { afterBox: control }, value: () => dom.valueOf(control) });
    }
    if (bindings.length === 0) return { page: 'none', bindings };
    if (!isAtlassian(controls, bindings)) return { page: 'other-provider', bindings: [] };
    const page = bindings.some((binding) => binding.field === 'scopes') && bindings.length === 1 ? 'scope' : 'entity';
    return { page, bindings };
  }

  return { name: 'servicenow', theme: 'servicenow', read };
})();
