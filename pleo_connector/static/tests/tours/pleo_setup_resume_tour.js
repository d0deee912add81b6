/** @odoo-module **/
// After Pleo's OAuth consent the browser comes back to Odoo's web client, with
// its app menu, and the setup wizard open on its second step.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("pleo_setup_resume_tour", {
    steps: () => [
        {
            content: "The web client with its menu",
            trigger: ".o_main_navbar",
        },
        {
            content: "The setup is open on the level step",
            trigger: ".modal .o_form_view .o_field_widget[name=integration_level]",
        },
        {
            content: "Finish is offered",
            trigger: ".modal button[name=action_finish]",
        },
    ],
});
