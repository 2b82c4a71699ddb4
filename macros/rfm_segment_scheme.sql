{#- The chosen segment scheme, failing in one sentence when seeds/rfm_segment_map.csv has no map for it at
    the current rfm_bins, per dimension (instead of leaving customers unmapped). -#}
{% macro rfm_segment_scheme(segment_map) -%}
    {%- set scheme = rfm_segment_scheme_name() -%}
    {%- set bins = rfm_bins() -%}
    {%- if rfm_can_introspect() -%}
        {%- set available = run_query(
            'select segment_scheme, r_bins, f_bins, m_bins from ' ~ ref('rfm_segment_map')
            ~ ' group by segment_scheme, r_bins, f_bins, m_bins order by segment_scheme, r_bins, f_bins, m_bins'
        ) -%}
        {%- set choices = [] -%}
        {%- set ns = namespace(found=false) -%}
        {%- for row in available -%}
            {%- set same = row['r_bins'] == row['f_bins'] == row['m_bins'] -%}
            {%- do choices.append(row['segment_scheme'] ~ ' (rfm_bins=' ~ (row['r_bins'] if same else
                'R' ~ row['r_bins'] ~ ' F' ~ row['f_bins'] ~ ' M' ~ row['m_bins']) ~ ')') -%}
            {%- if row['segment_scheme'] == scheme and row['r_bins'] | int == bins.recency
                and row['f_bins'] | int == bins.frequency and row['m_bins'] | int == bins.monetary -%}
                {%- set ns.found = true -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ns.found -%}
            {{ exceptions.raise_compiler_error(
                "There is no segment map for segment_scheme '" ~ scheme ~ "' with rfm_bins=" ~ rfm_bins_label()
                ~ " in seeds/rfm_segment_map.csv (maps exist for: " ~ (choices | join(', '))
                ~ "); add one or choose another scheme or number of bins."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(scheme) }}
{%- endmacro %}
