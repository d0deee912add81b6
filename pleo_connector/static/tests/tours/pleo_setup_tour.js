/** @odoo-module **/
// Walks the Pleo setup from Settings to a connected sandbox connection, then opens
// an entry imported from Pleo. The test passes the sandbox URL and company id in
// cookies (pleo_tour_url, pleo_tour_company); the sandbox's API key is its default.
import {registry} from "@web/core/registry";

function cookie(name) {
    const found = document.cookie
        .split("; ")
        .find((part) => part.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.split("=").slice(1).join("=")) : "";
}

registry.category("web_tour.tours").add("pleo_setup_tour", {
    url: "/odoo",
    steps: () => [
        // What stepUtils.showAppsMenuItem() does; its module moved in 19.0.
        {
            isActive: ["auto", "community", "desktop"],
            trigger: ".o_navbar_apps_menu button:enabled",
            tooltipPosition: "bottom",
            run: "click",
        },
        {
            content: "Open Settings",
            trigger: '.o_app[data-menu-xmlid="base.menu_administration"]',
            run: "click",
        },
        {
            content: "Open the Invoicing settings",
            trigger: '.settings_tab .tab[data-key="account"]',
            run: "click",
        },
        {
            content: "Start the Pleo setup",
            trigger: "button[name=action_pleo_setup]",
            run: "click",
        },
        {
            content: "Environment: a custom URL (the sandbox)",
            trigger: '.modal .o_field_widget[name=environment] input[data-value="custom"]',
            run: "click",
        },
        {
            content: "Sandbox URL",
            trigger: ".modal .o_field_widget[name=custom_url] input",
            async run(helpers) {
                await helpers.edit(cookie("pleo_tour_url"));
            },
        },
        {
            content: "Authorise with an API key",
            trigger: '.modal .o_field_widget[name=auth_method] input[data-value="api_key"]',
            run: "click",
        },
        {
            content: "Paste the API key",
            trigger: ".modal .o_field_widget[name=api_key] input",
            run: "edit pleo-sandbox-api-key",
        },
        {
            content: "Pleo company id",
            trigger: ".modal .o_field_widget[name=pleo_company_id] input",
            async run(helpers) {
                await helpers.edit(cookie("pleo_tour_company"));
            },
        },
        {
            content: "Test and connect",
            trigger: ".modal button[name=action_connect_api_key]",
            run: "click",
        },
        {
            content: "The wizard shows the Pleo company reached",
            trigger: ".modal .o_pleo_company_name:contains(Sandbox Nordic ApS)",
        },
        {
            content: "Level 1: export",
            trigger: '.modal .o_field_widget[name=integration_level] input[data-value="1"]',
            run: "click",
        },
        {
            content: "Finish",
            trigger: ".modal button[name=action_finish]",
            run: "click",
        },
        {
            content: "The connection is connected",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Connected)",
        },
        {
            content: "Open the entries imported from Pleo",
            trigger: "button[name=action_pleo_open_moves]",
            run: "click",
        },
        {
            content: "Open an imported entry",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "The imported entry is shown",
            trigger: ".o_form_view:has(.o_field_widget[name=ref]) .o_breadcrumb:contains(Entries)",
        },
    ],
});
