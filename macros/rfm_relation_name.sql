{#- `schema.table` of one of this project's models as this build names it, for a message that sends the reader
    to it: the host project's schemas when the project runs as a package (a host's +schema or
    generate_schema_name), plain `staging.rejected_transactions` here. Read from the graph, not by ref(), so the
    message adds no dependency; before execution (parsing) the graph is empty and the name alone is returned. -#}
{% macro rfm_relation_name(model_name) -%}
    {%- set found = namespace(name=model_name) -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.name == model_name
                and node.package_name == model.package_name -%}
                {%- set found.name = node.schema ~ '.' ~ (node.alias or node.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found.name) }}
{%- endmacro %}
