{#- The chosen segment scheme, failing in one sentence when seeds/rfm_segment_map.csv has no map for it at
    the current rfm_bins (instead of leaving customers unmapped). -#}
{% macro rfm_segment_scheme(segment_map) -%}
    {%- set scheme = rfm_segment_scheme_name() -%}
    {%- set bins = rfm_bins() -%}
    {%- if rfm_can_introspect() -%}
        {%- set available = run_query(
            'select segment_scheme, rfm_bins from ' ~ ref('rfm_segment_map')
            ~ ' group by segment_scheme, rfm_bins order by segment_scheme, rfm_bins'
        ) -%}
        {%- set choices = [] -%}
        {%- set ns = namespace(found=false) -%}
        {%- for row in available -%}
            {%- do choices.append(row['segment_scheme'] ~ ' (rfm_bins=' ~ row['rfm_bins'] ~ ')') -%}
            {%- if row['segment_scheme'] == scheme and row['rfm_bins'] | int == bins -%}
                {%- set ns.found = true -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ns.found -%}
            {{ exceptions.raise_compiler_error(
                "There is no segment map for segment_scheme '" ~ scheme ~ "' with rfm_bins=" ~ bins
                ~ " in seeds/rfm_segment_map.csv (maps exist for: " ~ (choices | join(', '))
                ~ "); add one or choose another scheme or number of bins."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(scheme) }}
{%- endmacro %}
